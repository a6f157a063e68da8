"""Benchmark of the metrics job (see ../shared/specs/performance.md).

    python bench/metrics.py [--scale medium] [--small-scale small] [--repeat 3]

Two databases on the configured server (the embedded one, or DATABASE_URL's):
`prometric_bench_metrics_<scale>` for each scale, generated once (seed 42, history from 2023-01-01)
and reused while they hold the data. Figures, each with a baseline measured in the same run:

* full backfill at `--scale` (every day of the history in one run: daily metrics, the four rollups
  and KPIs) against a bare sequential scan of the fact tables it reads (target ≤ 4×);
* the nightly run (the last day of the history plus the 3-day late-data window) at `--scale`
  against the same run at `--small-scale` (target ≤ 3 s and ≤ 1.5×).

Prints a markdown table; not part of `make test`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

from databases import migrated_database
from sqlalchemy import text
from sqlalchemy.engine import Engine

from prometric_pipelines.generate.run import generate
from prometric_pipelines.generate.scales import options_for
from prometric_pipelines.metrics.periods import ROLLUPS
from prometric_pipelines.metrics.run import compute_daily, compute_kpis, compute_rollup

START = dt.date(2023, 1, 1)
LATE_DAYS = 3
# the tables the daily pass reads (fact tables and the dimensions it joins)
FACT_TABLES = (
    "orders", "order_items", "customers", "deals", "invoices", "payments", "expenses", "stock_movements",
    "products", "warehouses", "production_orders", "employees", "attendance", "leaves", "tasks",
)  # fmt: skip


def bench_database(scale: str) -> Engine:
    """The scale's database, generated on first use and kept."""
    name = f"prometric_bench_metrics_{scale}"
    engine = migrated_database(name)
    with engine.connect() as conn:
        loaded = conn.execute(text("SELECT count(*) FROM organizations")).scalar_one()
    if not loaded:
        print(f"generating {scale} into {name} (once) …", flush=True)
        generate(engine, options_for(scale, start=START, seed=42))
    return engine


def history(engine: Engine) -> tuple[dt.date, dt.date]:
    with engine.connect() as conn:
        first, last = conn.execute(text('SELECT min("orderDate")::date, max("orderDate")::date FROM orders')).one()
    return first, last


def bare_scan_seconds(engine: Engine) -> tuple[float, int]:
    """Warm sequential scans (parallel workers allowed) of the fact tables: seconds and rows."""
    with engine.connect() as conn:
        conn.execute(text("SET enable_indexscan = off"))
        conn.execute(text("SET enable_indexonlyscan = off"))
        conn.execute(text("SET enable_bitmapscan = off"))
        rows = 0
        for table in FACT_TABLES:
            conn.execute(text(f"SELECT count(*) FROM {table}"))  # warm the cache
        began = time.perf_counter()
        for table in FACT_TABLES:
            rows += conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
        return time.perf_counter() - began, rows


def run_all(engine: Engine, start: dt.date, end: dt.date) -> dict[str, float]:
    """One metrics run (daily, rollups, KPIs) for start..end: seconds per step."""
    figures = {"daily": compute_daily(engine, start, end, run_id="bench").seconds}
    figures["rollups"] = sum(compute_rollup(engine, p, start, end, run_id="bench").seconds for p in ROLLUPS)
    figures["kpis"] = compute_kpis(engine, start, end, run_id="bench").seconds
    figures["total"] = figures["daily"] + figures["rollups"] + figures["kpis"]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--small-scale", default="small")
    parser.add_argument("--repeat", type=int, default=3, help="nightly runs per scale (median reported)")
    args = parser.parse_args()

    big = bench_database(args.scale)
    small = bench_database(args.small_scale)
    first, last = history(big)
    scan, scan_rows = bare_scan_seconds(big)
    backfill_daily = compute_daily(big, first, last, run_id="bench")
    backfill = {"daily": backfill_daily.seconds}
    backfill["rollups"] = sum(compute_rollup(big, p, first, last, run_id="bench").seconds for p in ROLLUPS)
    backfill["kpis"] = compute_kpis(big, first, last, run_id="bench").seconds
    backfill["total"] = backfill["daily"] + backfill["rollups"] + backfill["kpis"]

    nightly: dict[str, float] = {}
    for label, engine in ((args.scale, big), (args.small_scale, small)):
        end = history(engine)[1]
        start = end - dt.timedelta(days=LATE_DAYS)
        if label == args.small_scale:  # the window's neighbours exist, as they do in production
            run_all(engine, history(engine)[0], end)
        nightly[label] = statistics.median(run_all(engine, start, end)["total"] for _ in range(args.repeat))

    print()
    print(f"## metrics ({dt.date.today()}): {args.scale} history {first}..{last}")
    print()
    print("| figure | value | baseline | ratio | target |")
    print("|---|---:|---:|---:|---|")
    print(
        f"| full backfill, daily pass ({(last - first).days + 1} days, one run) | {backfill['daily']:.2f} s "
        f"| bare scan of {len(FACT_TABLES)} tables ({scan_rows:,} rows): {scan:.2f} s "
        f"| {backfill['daily'] / scan:.1f}× | ≤ 4× |"
    )
    print(
        f"| full backfill, daily + rollups + KPIs | {backfill['total']:.2f} s | {scan:.2f} s "
        f"| {backfill['total'] / scan:.1f}× | — |"
    )
    print(
        f"| nightly run ({LATE_DAYS + 1} days, daily + rollups + KPIs), median of {args.repeat} "
        f"| {nightly[args.scale]:.2f} s at {args.scale} | {nightly[args.small_scale]:.2f} s at {args.small_scale} "
        f"| {nightly[args.scale] / nightly[args.small_scale]:.2f}× | ≤ 3 s and ≤ 1.5× |"
    )
    print()
    print("daily pass per query (s):", ", ".join(f"{k} {v}" for k, v in backfill_daily.timings.items()))
    print("backfill steps (s):", ", ".join(f"{k} {v:.2f}" for k, v in backfill.items()))
    big.dispose()
    small.dispose()


if __name__ == "__main__":
    main()
