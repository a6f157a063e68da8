"""Benchmark of the stock reconciliation (see ../shared/specs/performance.md): 10M stock movements.

    python bench/reconcile.py [--movements 10000000] [--orgs 10] [--runs 3]

Database `prometric_bench_reconcile` on the configured server (the embedded one, or DATABASE_URL's),
kept between runs: built once by the generator (`small` scale, `--orgs`, anomalies injected), then
topped up to `--movements` with IN/OUT pairs of equal quantity copied from the organizations' own
movements (they cancel out, so ledger and inventory stay consistent and only the injected anomalies
are findings). Baseline measured in the same run: a bare sequential scan of stock_movements +
inventory. Prints a markdown table; not part of `make test`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

import psycopg
from sqlalchemy import text

from prometric_pipelines.config import libpq_url
from prometric_pipelines.db.engine import create_db_engine, database_url
from prometric_pipelines.db.migrate import migrate
from prometric_pipelines.generate.run import generate
from prometric_pipelines.generate.scales import options_for
from prometric_pipelines.stock.reconcile import KINDS, reconcile

DATABASE = "prometric_bench_reconcile"
START = dt.date(2024, 1, 1)

# Pairs of IN and OUT of the same quantity, a minute apart, copied from valid IN/OUT movements.
TOP_UP = """
INSERT INTO stock_movements ("organizationId", "workspaceId", "warehouseId", "productId", type, quantity,
                             "referenceType", "referenceId", reason, "createdBy", "createdAt")
SELECT m."organizationId", m."workspaceId", m."warehouseId", m."productId",
       CASE WHEN g %% 2 = 0 THEN 'IN' ELSE 'OUT' END, m.quantity, m."referenceType", m."referenceId", m.reason,
       m."createdBy", m."createdAt" + make_interval(mins => g)
FROM stock_movements AS m
JOIN warehouses AS w ON w.id = m."warehouseId" AND w."organizationId" = m."organizationId"
CROSS JOIN generate_series(0, %(pairs)s * 2 - 1) AS g
WHERE m."organizationId" = %(org)s AND m.type IN ('IN', 'OUT') AND m.quantity > 0
"""


def prepare(url, movements: int, orgs: int) -> None:
    admin = libpq_url(url.set(database="postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone()
    if exists:
        with psycopg.connect(libpq_url(url)) as conn:
            have = conn.execute("SELECT count(*) FROM stock_movements").fetchone()[0]
        if have >= movements * 0.95:
            print(f"reusing {DATABASE}: {have:,} stock movements")
            return
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    engine = create_db_engine(url)
    migrate(engine)
    started = time.perf_counter()
    generate(engine, options_for("small", orgs=orgs, start=START, inject_anomalies=True), progress=print)
    engine.dispose()
    with psycopg.connect(libpq_url(url)) as conn:
        have = conn.execute("SELECT count(*) FROM stock_movements").fetchone()[0]
        eligible = dict(
            conn.execute(
                """SELECT "organizationId", count(*) FROM stock_movements
                   WHERE type IN ('IN', 'OUT') AND quantity > 0 GROUP BY 1"""
            ).fetchall()
        )
        pairs = max(1, round((movements - have) / (2 * sum(eligible.values()))))
        print(f"generated {have:,} movements; adding {pairs} IN/OUT pair(s) per IN/OUT movement")
        # indexes rebuilt once after the load instead of maintained per row
        indexes = conn.execute(
            """SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'stock_movements'
               AND indexname <> 'stock_movements_pkey'"""
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        for org in eligible:
            conn.execute(TOP_UP, {"org": org, "pairs": pairs})
        for _, definition in indexes:
            conn.execute(definition)
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM (ANALYZE) stock_movements")
        conn.execute("VACUUM (ANALYZE) inventory")
        total = conn.execute("SELECT count(*) FROM stock_movements").fetchone()[0]
    print(f"prepared {total:,} stock movements in {time.perf_counter() - started:.0f} s")


def bare_scan_seconds(url, *, read_columns: bool = False) -> float:
    """A full sequential scan of both tables the job reads (index-only shortcuts switched off).

    `count(*)` visits every row without decoding it; with `read_columns` the scan counts the last
    column, so every row is decoded up to it, as the pass must (it reads all but three columns)."""
    column = {"stock_movements": '"createdAt"', "inventory": '"expiryDate"'}
    with psycopg.connect(libpq_url(url)) as conn:
        for setting in ("enable_indexscan", "enable_indexonlyscan", "enable_bitmapscan"):
            conn.execute(f"SET {setting} = off")
        started = time.perf_counter()
        for table in ("stock_movements", "inventory"):
            conn.execute(f"SELECT count({column[table] if read_columns else '*'}) FROM {table}").fetchone()
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movements", type=int, default=10_000_000)
    parser.add_argument("--orgs", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    url = database_url().set(database=DATABASE)
    prepare(url, args.movements, args.orgs)
    engine = create_db_engine(url)
    with engine.connect() as conn:
        movements = conn.execute(text("SELECT count(*) FROM stock_movements")).scalar_one()
        inventory = conn.execute(text("SELECT count(*) FROM inventory")).scalar_one()
        organizations = conn.execute(text("SELECT count(*) FROM organizations")).scalar_one()
    run_date = options_for("small", orgs=args.orgs, start=START).end
    bare_scan_seconds(url)  # warm the cache the same way for both
    reconcile(engine, run_date)
    scans, column_scans, runs = [], [], []
    for _ in range(args.runs):
        scans.append(bare_scan_seconds(url))
        column_scans.append(bare_scan_seconds(url, read_columns=True))
        started = time.perf_counter()
        result = reconcile(engine, run_date)
        runs.append(time.perf_counter() - started)
    started = time.perf_counter()
    applied = reconcile(engine, run_date, apply=True)
    apply_seconds = time.perf_counter() - started
    engine.dispose()

    scan, run = statistics.median(scans), statistics.median(runs)
    column_scan = statistics.median(column_scans)
    print()
    print(f"## stock reconciliation: {movements:,} movements, {inventory:,} inventory rows, "
          f"{organizations} organizations ({dt.date.today()})")  # fmt: skip
    print()
    print(f"| measure | seconds (median of {args.runs}) | ratio to bare scan |")
    print("|---|---:|---:|")
    print(f"| bare scan of stock_movements + inventory, count(*) | {scan:.2f} | 1.00 |")
    print(f"| same scan decoding every row (count of the last column) | {column_scan:.2f} | {column_scan / scan:.2f} |")
    print(f"| reconciliation, findings only, all organizations | {run:.2f} | {run / scan:.2f} |")
    print(f"| reconciliation with --apply (once) | {apply_seconds:.2f} | {apply_seconds / scan:.2f} |")
    print()
    print(f"runs: {', '.join(f'{s:.2f}' for s in runs)} s; scans: {', '.join(f'{s:.2f}' for s in scans)} s; "
          f"{movements / run:,.0f} movements/s")  # fmt: skip
    print("findings: " + ", ".join(f"{kind} {result.findings[kind]}" for kind in KINDS))
    print(f"apply: {applied.adjustments} adjustments, {applied.products_synced} products synced")
    print(f"ratio to the decoding scan: {run / column_scan:.2f} x")
    print(f"target: <= 3 x bare scan -> {'met' if run / scan <= 3 else 'NOT met'} ({run / scan:.2f} x)")


if __name__ == "__main__":
    main()
