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

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import Engine

from prometric_pipelines.config import PROJECT_ROOT, libpq_url
from prometric_pipelines.db.engine import create_db_engine, database_url
from prometric_pipelines.db.migrate import migrate
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
    base = database_url()
    with psycopg.connect(libpq_url(base.set(database="postgres")), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    engine = create_db_engine(base.set(database=name))
    migrate(engine)
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


if __name__ == "__main__":
    main()
