"""Benchmark of the dashboards' query layer (see ../shared/specs/performance.md, security.md).

    python bench/dashboards.py [--scale medium] [--repeat 20] [--sessions 20] [--prepare-only]

Its own database on the configured server (`prometric_bench_dashboards_<scale>`), prepared once and
reused: generated (seed 42, history from 2023-01-01), the metrics of the whole history computed, the
payroll of the last three months and one stock reconciliation. Figures:

* every page's query set for an owner, p50/p95 over `--repeat` runs, cold (caches cleared before
  each run: every query reaches PostgreSQL) and warm (the `st.cache_data` layer answers);
* `--sessions` threads, each a different organization and date range, running page query sets at
  once through the uncached query layer: p50/p95 per page load, errors, peak RSS.

Targets: each page's queries p95 ≤ 300 ms (performance.md), 20 sessions p95 ≤ 1 s (performance.md)
and ≤ 500 ms (security.md). Prints a markdown table; not part of `make test`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time

from databases import migrated_database
from sqlalchemy import text
from sqlalchemy.engine import Engine

from prometric_pipelines.config import PROJECT_ROOT
from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.generate.run import generate
from prometric_pipelines.generate.scales import options_for
from prometric_pipelines.metrics.periods import ROLLUPS
from prometric_pipelines.metrics.run import compute_daily, compute_kpis, compute_rollup
from prometric_pipelines.payroll.run import run_payroll
from prometric_pipelines.stock.reconcile import reconcile

sys.path.insert(0, str(PROJECT_ROOT / "dashboards"))  # the app's `lib` package, as Streamlit sees it

START = dt.date(2023, 1, 1)


def _count(engine: Engine, sql: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar_one()


def bench_database(scale: str) -> Engine:
    """The scale's database with generated data, metrics, payroll and a reconciliation (each step once)."""
    name = f"prometric_bench_dashboards_{scale}"
    engine = migrated_database(name)
    if not _count(engine, "SELECT count(*) FROM organizations"):
        print(f"generating {scale} into {name} (once) …", flush=True)
        generate(engine, options_for(scale, start=START, seed=42))
    with engine.connect() as conn:
        first, last = conn.execute(text('SELECT min("orderDate")::date, max("orderDate")::date FROM orders')).one()
    if not _count(engine, "SELECT count(*) FROM metrics WHERE period = 'yearly'"):
        began = time.perf_counter()
        print(f"computing metrics {first}..{last} (once) …", flush=True)
        compute_daily(engine, first, last, run_id="bench")
        for period in ROLLUPS:
            compute_rollup(engine, period, first, last, run_id="bench")
        compute_kpis(engine, first, last, run_id="bench")
        print(f"metrics done in {time.perf_counter() - began:.0f} s", flush=True)
    if not _count(engine, "SELECT count(*) FROM payroll"):
        month = last.replace(day=1)
        for _ in range(3):
            month = (month - dt.timedelta(days=1)).replace(day=1)
            print(f"payroll {month:%Y-%m} (once) …", flush=True)
            run_payroll(engine, month)
    if not _count(engine, "SELECT count(*) FROM stock_reconciliation_runs"):
        print("stock reconciliation (once) …", flush=True)
        reconcile(engine, last)
    return engine


OWNER_PAGES = ("overview", "sales", "finance", "inventory", "hr", "operations", "audit")


def owner_scopes(engine: Engine) -> list:
    """One owner scope per organization (every page, HR access 'all', all workspaces)."""
    from lib.access import Scope

    with engine.connect() as conn:
        rows = conn.execute(text('SELECT id, "createdBy" FROM organizations ORDER BY name')).all()
    return [Scope(str(org), None, str(user), OWNER_PAGES, "all") for org, user in rows]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--prepare-only", action="store_true")
    args = parser.parse_args()
    engine = bench_database(args.scale)
    if args.prepare_only:
        return
    import resource
    import threading

    from lib.filters import from_query
    from lib.queries import page_data, run_page

    from prometric_pipelines.db.roles import provision_logins
    from prometric_pipelines.db.tenancy import read_tenant_key

    logins = provision_logins(engine)  # the reader login on this database, as the app connects
    with engine.connect() as conn:
        import os

        os.environ["PROMETRIC_TENANT_KEY"] = read_tenant_key(conn)
    reader = create_db_engine(logins["prometric_reader"], pool_size=args.sessions, max_overflow=5)
    os.environ["READER_DATABASE_URL"] = logins["prometric_reader"].render_as_string(hide_password=False)
    with engine.connect() as conn:
        last = conn.execute(text("SELECT max(date) FROM metrics WHERE period = 'daily'")).scalar_one()
    scopes = owner_scopes(engine)
    filters = from_query({"preset": "90d", "grain": "week"}, last)

    cold: dict[str, list[float]] = {p: [] for p in OWNER_PAGES}
    warm: dict[str, list[float]] = {p: [] for p in OWNER_PAGES}
    for index in range(args.repeat):
        scope = scopes[index % len(scopes)]
        for page in OWNER_PAGES:
            began = time.perf_counter()
            run_page(scope, page, filters, reader)
            cold[page].append(time.perf_counter() - began)
            page_data(scope, page, filters)  # fills the cache
            began = time.perf_counter()
            page_data(scope, page, filters)
            warm[page].append(time.perf_counter() - began)

    presets = ("7d", "30d", "90d", "mtd", "qtd", "ytd")
    loads: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def session(number: int) -> None:
        scope = scopes[number % len(scopes)]
        f = from_query({"preset": presets[number % len(presets)], "grain": "week"}, last)
        for page in OWNER_PAGES:
            began = time.perf_counter()
            try:
                run_page(scope, page, f, reader)
            except Exception as error:  # counted and reported: the figure is "no errors"
                with lock:
                    failures.append(f"{page}: {error}")
                continue
            with lock:
                loads.append(time.perf_counter() - began)

    threads = [threading.Thread(target=session, args=(n,)) for n in range(args.sessions)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print()
    print(
        f"## dashboards ({dt.date.today()}): {args.scale}, {len(scopes)} organizations, "
        f"range {filters.start}..{filters.end}"
    )
    print()
    print("| page (owner, last 90 days, by week) | cold p50 | cold p95 | warm p50 | warm p95 | target |")
    print("|---|---:|---:|---:|---:|---|")
    for page in OWNER_PAGES:
        print(
            f"| {page} | {percentile(cold[page], 0.5) * 1000:.0f} ms | {percentile(cold[page], 0.95) * 1000:.0f} ms "
            f"| {percentile(warm[page], 0.5) * 1000:.1f} ms | {percentile(warm[page], 0.95) * 1000:.1f} ms "
            "| p95 ≤ 300 ms |"
        )
    print()
    print(
        f"{args.sessions} concurrent sessions × {len(OWNER_PAGES)} pages (uncached): page load p50 "
        f"{percentile(loads, 0.5) * 1000:.0f} ms, p95 {percentile(loads, 0.95) * 1000:.0f} ms "
        f"(targets ≤ 1000 ms performance.md, ≤ 500 ms security.md); {len(failures)} errors; wall {wall:.1f} s; "
        f"peak RSS {rss_mb:.0f} MB"
    )
    for failure in failures[:5]:
        print("error:", failure)
    reader.dispose()
    engine.dispose()


if __name__ == "__main__":
    main()
