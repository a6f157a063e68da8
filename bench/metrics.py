"""Benchmark of the metrics job: the 3-year backfill against the machine's limit, the nightly run at two scales.

    python bench/metrics.py [--scale medium] [--small-scale small] [--touched 40]

Two databases on the configured server (the embedded one, or DATABASE_URL's):
`prometric_bench_metrics_<scale>` for each scale, generated once (seed 42, history from 2023-01-01)
and reused while they hold the data. Figures, each with its baseline measured in the same run:

* the full backfill at `--scale` into an empty `metrics` table (every day of the history in one run):
  the daily pass, then daily + rollups + KPIs, each against its limit (bench/limits.py: a bare parallel
  scan of the fact tables it reads + a binary COPY of exactly the metrics rows it wrote; target ≤ 4×);
* the nightly run (metrics/nightly.py: yesterday plus every day whose facts changed) after the same
  `--touched` rows were changed at both scales (updates, date moves, inserts and soft deletes on random
  days across the whole history), at `--scale` against `--small-scale` (target ≤ 2 s and ≤ 1.5×); and a
  quiet night (nothing changed but the new day).

Prints a markdown table and the machine's load; not part of `make test`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time

from databases import migrated_database
from limits import REPORT_HEADER, Output, load_average, measure, report_row
from sqlalchemy import text
from sqlalchemy.engine import Engine

from prometric_pipelines.generate.run import generate
from prometric_pipelines.generate.scales import options_for
from prometric_pipelines.metrics.nightly import NightlyResult, run_nightly
from prometric_pipelines.metrics.periods import ROLLUPS
from prometric_pipelines.metrics.run import compute_daily, compute_kpis, compute_rollup

START = dt.date(2023, 1, 1)
# the tables the daily pass reads (fact tables and the dimensions it joins)
FACT_TABLES = (
    "orders", "order_items", "customers", "deals", "invoices", "payments", "expenses", "stock_movements",
    "products", "warehouses", "production_orders", "employees", "attendance", "leaves", "tasks",
)  # fmt: skip
# the rollups read the stored daily rows (and orders, payroll); KPIs the stored rows of every period
ROLLUP_TABLES = ("payroll", "kpi_definitions")


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


def organizations(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [str(o) for o in conn.execute(text('SELECT id FROM organizations WHERE "deletedAt" IS NULL')).scalars()]


def clear_metrics(engine: Engine) -> None:
    """The bench database's metrics emptied (not timed): the backfill writes every row anew."""
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE metrics"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE metrics"))


def settle_change_log(engine: Engine, since: dt.datetime, last: dt.date) -> None:
    """After a backfill of the whole history (not timed): the changes recorded before it began are
    computed, as if a nightly run had taken them — the generator's own inserts would otherwise make the
    bench's first nightly run a recomputation of every day."""
    with engine.begin() as conn:
        conn.execute(text('DELETE FROM metric_changes WHERE "recordedAt" < :since'), {"since": since})
        conn.execute(
            text(
                'INSERT INTO metric_nightly_state ("organizationId", "lastDay", "runId")'
                " SELECT id, :last, 'bench-backfill' FROM organizations"
                ' ON CONFLICT ("organizationId") DO UPDATE SET "lastDay" = excluded."lastDay"'
            ),
            {"last": last},
        )


def backfill(engine: Engine, first: dt.date, last: dt.date) -> dict[str, float]:
    """Daily rows, rollups and KPIs of first..last in one run each: seconds per step; the change log
    recorded before the backfill settled."""
    with engine.connect() as conn:
        began = conn.execute(text("SELECT CAST(CURRENT_TIMESTAMP AS timestamp)")).scalar_one()
    daily = compute_daily(engine, first, last, run_id="bench")
    figures = {"daily": daily.seconds, **{f"daily {k}": v for k, v in daily.timings.items()}}
    figures["rollups"] = sum(compute_rollup(engine, p, first, last, run_id="bench").seconds for p in ROLLUPS)
    figures["kpis"] = compute_kpis(engine, first, last, run_id="bench").seconds
    figures["total"] = figures["daily"] + figures["rollups"] + figures["kpis"]
    settle_change_log(engine, began, last)
    return figures


def touch(engine: Engine, rows: int, first: dt.date, last: dt.date, seed: int) -> None:
    """`rows` changes on random rows and days of the whole history, the same mix at every scale: order
    amounts updated, orders moved to another day, stock receipts inserted, invoices soft-deleted."""
    rng = random.Random(seed)
    days = (last - first).days + 1

    def any_day() -> dt.datetime:
        return dt.datetime.combine(first + dt.timedelta(days=rng.randrange(days)), dt.time(rng.randrange(24)))

    def random_id(conn, table: str) -> str:
        count = conn.execute(text(f'SELECT count(*) FROM {table} WHERE "deletedAt" IS NULL')).scalar_one()
        return conn.execute(
            text(f'SELECT id FROM {table} WHERE "deletedAt" IS NULL ORDER BY id OFFSET :n LIMIT 1'),
            {"n": rng.randrange(count)},
        ).scalar_one()

    with engine.begin() as conn:
        for n in range(rows):
            kind = n % 4
            if kind == 0:
                conn.execute(
                    text('UPDATE orders SET "totalAmount" = "totalAmount" + 1 WHERE id = :id'),
                    {"id": random_id(conn, "orders")},
                )
            elif kind == 1:
                conn.execute(
                    text('UPDATE orders SET "orderDate" = :day WHERE id = :id'),
                    {"id": random_id(conn, "orders"), "day": any_day()},
                )
            elif kind == 2:
                conn.execute(
                    text(
                        'INSERT INTO stock_movements (id, "organizationId", "workspaceId", "warehouseId", "productId",'
                        ' type, quantity, "createdAt")'
                        ' SELECT gen_random_uuid(), "organizationId", "workspaceId", "warehouseId", "productId",'
                        " 'IN', 3, :day FROM stock_movements WHERE id = ("
                        "  SELECT id FROM stock_movements ORDER BY id OFFSET :n LIMIT 1)"
                    ),
                    {"day": any_day(), "n": rng.randrange(1000)},
                )
            else:
                conn.execute(
                    text('UPDATE invoices SET "deletedAt" = now() WHERE id = :id'), {"id": random_id(conn, "invoices")}
                )


def nightly(engine: Engine, touched: int, seed: int) -> tuple[NightlyResult, NightlyResult]:
    """(a quiet night, a night after `touched` changes) at the end of the engine's history."""
    first, last = history(engine)
    orgs = organizations(engine)
    run_nightly(engine, last, orgs, f"bench-catch-up-{seed}", floor=first)  # earlier changes taken (not timed)
    quiet = run_nightly(engine, last, orgs, f"bench-quiet-{seed}", floor=first)
    touch(engine, touched, first, last, seed)
    return quiet, run_nightly(engine, last, orgs, f"bench-night-{seed}", floor=first)


def ensure_computed(engine: Engine) -> None:
    """The small database's whole history computed once (the nightly run refreshes stored rows)."""
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM metrics WHERE period = 'yearly'")).scalar_one()
    if not stored:
        first, last = history(engine)
        backfill(engine, first, last)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--small-scale", default="small")
    parser.add_argument("--touched", type=int, default=40, help="rows changed before the timed nightly run")
    parser.add_argument("--nightly-only", action="store_true", help="the nightly figures only (no backfill)")
    args = parser.parse_args()

    big = bench_database(args.scale)
    small = bench_database(args.small_scale)
    ensure_computed(small)
    first, last = history(big)
    load_before = load_average()

    print(f"## metrics ({dt.date.today()}): {args.scale} history {first}..{last}, load {load_before}", flush=True)
    rows: list[str] = []
    if not args.nightly_only:
        clear_metrics(big)
        steps = backfill(big, first, last)
        print("backfill steps (s):", ", ".join(f"{k} {v:.2f}" for k, v in steps.items()), flush=True)
        daily_limit = measure(big, FACT_TABLES, [Output("metrics", "period = 'daily'")])
        days = (last - first).days + 1
        rows.append(report_row(f"metrics backfill {args.scale}, daily pass ({days} days)", steps["daily"],
                               daily_limit, "≤ 4×"))  # fmt: skip
        print(rows[-1], f"load {load_average()}", flush=True)
        total_limit = measure(big, (*FACT_TABLES, *ROLLUP_TABLES), [Output("metrics")])
        rows.append(report_row(f"metrics backfill {args.scale}, daily + rollups + KPIs", steps["total"],
                               total_limit, "—"))  # fmt: skip
        print(rows[-1], f"load {load_average()}", flush=True)

    seed = int(time.time())  # new rows to touch each run; the same rows' choice rule at both scales
    nights = {args.small_scale: nightly(small, args.touched, seed)}
    print(f"nightly at {args.small_scale}: quiet {nights[args.small_scale][0].seconds:.2f} s, "
          f"after {args.touched} changes {nights[args.small_scale][1].seconds:.2f} s", flush=True)  # fmt: skip
    nights[args.scale] = nightly(big, args.touched, seed)
    quiet = {scale: n[0].seconds for scale, n in nights.items()}
    changed = {scale: n[1].seconds for scale, n in nights.items()}
    windows = nights[args.scale][1].windows

    print()
    load = f"load {load_before} → {load_average()}"
    print(f"## metrics ({dt.date.today()}): {args.scale} history {first}..{last}, {load}")
    print()
    if rows:
        print(REPORT_HEADER)
        print("\n".join(rows))
        print()
    print("| nightly run | at " + args.scale + " | at " + args.small_scale + " | ratio | target |")
    print("|---|---:|---:|---:|---|")
    print(
        f"| after {args.touched} rows changed across the history | {changed[args.scale]:.2f} s "
        f"| {changed[args.small_scale]:.2f} s | {changed[args.scale] / changed[args.small_scale]:.2f}× "
        "| ≤ 2 s and ≤ 1.5× |"
    )
    print(
        f"| a quiet night (the new day only) | {quiet[args.scale]:.2f} s | {quiet[args.small_scale]:.2f} s "
        f"| {quiet[args.scale] / quiet[args.small_scale]:.2f}× | — |"
    )
    print()
    print(
        f"nightly windows at {args.scale}:",
        ", ".join(f"{w.first}..{w.last} ({len(w.organizations)} org)" for w in windows),
    )
    print(
        f"nightly steps at {args.scale} (s):",
        ", ".join(f"{k} {v.seconds:.2f} ({v.rows_written} rows)" for k, v in nights[args.scale][1].steps.items()),
    )
    big.dispose()
    small.dispose()


if __name__ == "__main__":
    main()
