"""Benchmark of the dashboards' reads through the app's own path (see README, "Benchmarks").

    python bench/dashboards.py [--scale medium] [--repeat 20] [--sessions 20] [--crowd 100] [--prepare-only]

Its own database on the configured server (`prometric_bench_dashboards_<scale>`), prepared once and
reused: generated (seed 42, history from 2023-01-01), the metrics of the whole history computed, the
payroll of the last three months and one stock reconciliation. Every figure goes through
`queries.page_data` — the permission check, the data version, the shared single-flight cache, the reader
login with tenant sessions — exactly as the Streamlit pages call it. Figures, in one run:

* every page of an owner (last 90 days, by week), p50/p95 over `--repeat` organizations: cold (the
  shared cache cleared before each load) and warm (answered from the cache, after the version check),
  with the page's limit: a warm `count(*)` of the rows its tables hold for the organization (metrics
  and audit rows of the range and the previous one), found through the indexes as the page finds
  them (`bench/limits.py`, `indexes=True`);
* `--sessions` and `--crowd` threads, each a different organization and date range preset, loading
  the owner's seven pages one after the other, first on a cold cache, then again (warm); and the
  same cold without the Audit page (the slowest read, see docs/dashboards.md);
* `--crowd` threads on one organization's default page (Overview, last 90 days, by week), as when a
  whole company opens the dashboards at 9:00: page loads p95 and how many reads really ran.

Targets (issue 21): each page's queries p95 ≤ 300 ms; 20 sessions p95 ≤ 1 s;
100 sessions p95 ≤ 2 s with no error. Prints markdown tables and the load average; not part of `make test`.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import functools
import os
import resource
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable

from databases import migrated_database
from limits import REPORT_HEADER, Limit, load_average, measure, report_row
from sqlalchemy import text
from sqlalchemy.engine import Engine

from prometric_pipelines.config import PROJECT_ROOT
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
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


# the tables each owner page reads (sql/dashboards/*.sql, audit.query): the limit scans their rows
PAGE_TABLES: dict[str, tuple[str, ...]] = {
    "overview": ("metrics", "kpi_definitions"),
    "sales": ("metrics", "orders", "customers", "deals"),
    "finance": ("metrics", "invoices", "customers", "expenses"),
    "inventory": (
        "metrics",
        "inventory",
        "products",
        "stock_movements",
        "stock_discrepancies",
        "stock_reconciliation_runs",
    ),
    "hr": ("metrics", "payroll", "payroll_items", "employees", "departments", "leaves"),
    "operations": ("metrics", "production_orders", "tasks"),
    "audit": ("audit_logs",),
}


def rows_limit(engine: Engine, tables: Iterable[str], organization_id: str, filters) -> Limit:
    """A warm `count(*)` of the rows `tables` hold for the organization (the range and the previous one
    for metrics and audit rows), found through the indexes as the pages find them: what the machine
    needs to read them once (a sequential scan of the whole tables would be 20× the pages' own reads)."""
    tables = sorted(set(tables))
    previous_start, _ = filters.previous()
    literal = f"'{organization_id}'"  # a UUID the bench read from the database, not user input
    where = {t: f'"organizationId" = {literal}' for t in tables}
    if "metrics" in where:
        where["metrics"] += f" AND date BETWEEN '{previous_start}' AND '{filters.end}'"
    where["audit_logs"] = (
        f'"organizationId" = {literal} AND "createdAt" >= \'{filters.start}\' '
        f"AND \"createdAt\" < date '{filters.end}' + 1"
    )
    return measure(engine, tables, [], where={t: where[t] for t in tables}, indexes=True)


def crowd(count: int, load: Callable[[int], list[Callable[[], object]]]) -> tuple[list[float], list[str], float]:
    """`count` threads started together, each running the page loads `load(number)` gives, one after the
    other: their times, and their errors counted, never raised (the figure is "no errors")."""
    times: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def session(number: int) -> None:
        for page_load in load(number):
            began = time.perf_counter()
            try:
                page_load()
            except Exception as error:
                with lock:
                    failures.append(f"{type(error).__name__}: {error}")
                continue
            with lock:
                times.append(time.perf_counter() - began)

    threads = [threading.Thread(target=session, args=(n,)) for n in range(count)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times, failures, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--crowd", type=int, default=100)
    parser.add_argument("--prepare-only", action="store_true")
    args = parser.parse_args()
    engine = bench_database(args.scale)
    if args.prepare_only:
        return
    from lib import queries
    from lib.filters import from_query

    from prometric_pipelines.db.roles import provision_logins
    from prometric_pipelines.db.tenancy import read_tenant_key

    load_before = load_average()
    logins = provision_logins(engine)  # the reader login on this database, as the app connects
    with engine.connect() as conn:
        os.environ["PROMETRIC_TENANT_KEY"] = read_tenant_key(conn)
    # the app's own reader engine and pool (queries.reader_engine: pool 10 + overflow 20)
    os.environ["READER_DATABASE_URL"] = logins["prometric_reader"].render_as_string(hide_password=False)
    with engine.connect() as conn:
        last = conn.execute(text("SELECT max(date) FROM metrics WHERE period = 'daily'")).scalar_one()
    scopes = owner_scopes(engine)
    filters = from_query({"preset": "90d", "grain": "week"}, last)
    page_data = queries.page_data

    cold: dict[str, list[float]] = {p: [] for p in OWNER_PAGES}
    warm: dict[str, list[float]] = {p: [] for p in OWNER_PAGES}
    for index in range(args.repeat):
        scope = scopes[index % len(scopes)]
        for page in OWNER_PAGES:
            queries.clear_caches()
            began = time.perf_counter()
            page_data(scope, page, filters)
            cold[page].append(time.perf_counter() - began)
            queries.VERSION_CACHE.clear()  # a later page run: the version is read again, the page is not
            began = time.perf_counter()
            page_data(scope, page, filters)
            warm[page].append(time.perf_counter() - began)
    limits = {page: rows_limit(engine, PAGE_TABLES[page], scopes[0].organization_id, filters) for page in OWNER_PAGES}

    presets = ("7d", "30d", "90d", "mtd", "qtd", "ytd")

    def owner_session(number: int, pages: tuple[str, ...] = OWNER_PAGES) -> list[Callable[[], object]]:
        """One viewer opening the owner's pages one after the other (its organization and preset)."""
        scope = scopes[number % len(scopes)]
        f = from_query({"preset": presets[number % len(presets)], "grain": "week"}, last)
        return [functools.partial(page_data, scope, page, f) for page in pages]

    without_audit = tuple(p for p in OWNER_PAGES if p != "audit")

    def default_page(number: int) -> list[Callable[[], object]]:
        """Many viewers of one organization opening its default page at once (different users, same role)."""
        scope = dataclasses.replace(scopes[0], user_id=str(uuid.UUID(int=number + 1)))
        return [functools.partial(page_data, scope, "overview", filters)]

    scenarios = []
    for label, count, load in (
        (f"{args.sessions} sessions × 7 pages, different organizations and ranges, cold cache", args.sessions,
         owner_session),
        (f"{args.sessions} sessions × 7 pages, the same again (warm cache)", args.sessions, owner_session),
        (f"{args.sessions} sessions × 6 pages (all but Audit), different organizations and ranges, cold cache",
         args.sessions, functools.partial(owner_session, pages=without_audit)),
        (f"{args.crowd} sessions × 7 pages, different organizations and ranges, cold cache", args.crowd,
         owner_session),
        (f"{args.crowd} sessions on one organization's Overview (90 days, by week), cold cache", args.crowd,
         default_page),
    ):  # fmt: skip
        if "the same again" not in label:
            queries.clear_caches()
        before = queries.PAGE_CACHE.stats()
        times, failures, wall = crowd(count, load)
        after = queries.PAGE_CACHE.stats()
        scenarios.append((label, times, failures, wall, after.reads - before.reads, after.joined - before.joined))
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load_after = load_average()

    print()
    print(
        f"## dashboards ({dt.date.today()}): {args.scale}, {len(scopes)} organizations, "
        f"range {filters.start}..{filters.end}; load average {load_before} → {load_after}"
    )
    print()
    print("| page (owner, last 90 days, by week) | cold p50 | cold p95 | warm p50 | warm p95 | limit (count of "
          "the page's rows) | cold p95 / limit | target |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---|---:|---|")
    for page in OWNER_PAGES:
        p95 = percentile(cold[page], 0.95)
        print(
            f"| {page} | {percentile(cold[page], 0.5) * 1000:.0f} ms | {p95 * 1000:.0f} ms "
            f"| {percentile(warm[page], 0.5) * 1000:.1f} ms | {percentile(warm[page], 0.95) * 1000:.1f} ms "
            f"| {limits[page].scan_rows:,} rows {limits[page].seconds * 1000:.1f} ms "
            f"| {p95 / limits[page].seconds:.1f}× | p95 ≤ 300 ms |"
        )
    print()
    print("| sessions (through queries.page_data) | page loads | p50 | p95 | errors | reads run | joined a read "
          "| wall | target |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for label, times, failures, wall, reads, joined in scenarios:
        target = "p95 ≤ 1 s" if label.startswith(f"{args.sessions} ") else "p95 ≤ 2 s, no error"
        print(
            f"| {label} | {len(times)} | {percentile(times, 0.5) * 1000:.0f} ms "
            f"| {percentile(times, 0.95) * 1000:.0f} ms "
            f"| {len(failures)} | {reads} | {joined} | {wall:.1f} s | {target} |"
        )
        for failure in failures[:3]:
            print("  error:", failure)
    headline = scenarios[0]
    # the limit of the headline: every session's organization and range read once (all seven pages' tables)
    every_table = [t for tables in PAGE_TABLES.values() for t in tables]
    distinct = [rows_limit(engine, every_table, scopes[n % len(scopes)].organization_id,
                           from_query({"preset": presets[n % len(presets)], "grain": "week"}, last))
                for n in range(args.sessions)]  # fmt: skip
    sessions_limit = Limit(sum(x.scan_seconds for x in distinct), sum(x.scan_rows for x in distinct), 0.0, 0)
    print()
    print(REPORT_HEADER)
    print(report_row(f"dashboards, {args.sessions} sessions cold (wall; limit = a count of every session's rows)",
                     headline[3], sessions_limit, "p95 ≤ 1 s"))  # fmt: skip
    print(f"\npeak RSS {rss_mb:.0f} MB; load average {load_before} → {load_after}")
    queries.reader_engine().dispose()
    engine.dispose()


if __name__ == "__main__":
    main()
