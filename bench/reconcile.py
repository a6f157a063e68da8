"""Benchmark of the stock reconciliation: 10M stock movements, full pass and nightly pass.

    python bench/reconcile.py [--movements 10000000] [--orgs 10] [--runs 3]

Database `prometric_bench_reconcile` on the configured server (the embedded one, or DATABASE_URL's),
kept between runs: built once by the generator (`small` scale, `--orgs`, anomalies injected), then
topped up to `--movements` with IN/OUT pairs of equal quantity copied from the organizations' own
movements (they cancel out, so ledger and inventory stay consistent and only the injected anomalies
are findings). Printed in one run, with the machine's load:

* the full pass (every movement read, the seals rebuilt) against its limit (bench/limits.py: a bare
  parallel scan of stock_movements + inventory and a binary COPY of the rows it wrote: run rows,
  findings, sealed balances); target <= 3x;
* the nightly pass with sealed balances after a day of new movements and a few late movements into
  sealed months (insert, update, delete: unsealed and rebuilt), against the full pass's bare scan;
  target <= 0.5x; and whether its findings equal a full pass's.

Not part of `make test`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

import psycopg
from sqlalchemy import text

from prometric_pipelines.config import libpq_url
from prometric_pipelines.db.engine import create_db_engine, database_url
from prometric_pipelines.db.migrate import migrate
from prometric_pipelines.generate.run import generate
from prometric_pipelines.generate.scales import options_for
from prometric_pipelines.stock.reconcile import KINDS, reconcile

sys.path.insert(0, str(Path(__file__).parent))
from limits import REPORT_HEADER, Output, load_average, measure, report_row

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
        migrate(create_db_engine(url))  # a later revision (sealed balances) on a kept database
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


NIGHTLY_REASON = "bench: a day of movements"
LATE_REASON = "bench: late movement"
# A day of movements: IN/OUT pairs of equal quantity (the ledger keeps agreeing with the count) copied
# from the movements of the history's last days, stamped an hour ago (after the sealed months).
A_DAY = """
INSERT INTO stock_movements ("organizationId", "workspaceId", "warehouseId", "productId", type, quantity,
                             "referenceType", "referenceId", reason, "createdBy", "createdAt")
SELECT m."organizationId", m."workspaceId", m."warehouseId", m."productId", t.type, m.quantity,
       m."referenceType", m."referenceId", :reason, m."createdBy", LOCALTIMESTAMP - interval '1 hour'
FROM stock_movements AS m
CROSS JOIN (VALUES ('IN'), ('OUT')) AS t (type)
WHERE m.type IN ('IN', 'OUT') AND m.quantity > 0
  AND m."createdAt" >= (SELECT max(l."createdAt") FROM stock_movements AS l WHERE l.reason IS DISTINCT FROM :reason)
                       - make_interval(hours => :hours)
  AND m.reason IS DISTINCT FROM :reason
"""
# Late movements into sealed months, one organization at a time: a back-dated IN/OUT pair inserted,
# an old movement updated (its reason), and the previous repetition's back-dated pair deleted.
LATE_DELETE = "DELETE FROM stock_movements WHERE reason = :late"
LATE_INSERT = """
INSERT INTO stock_movements ("organizationId", "workspaceId", "warehouseId", "productId", type, quantity,
                             reason, "createdAt")
SELECT m."organizationId", m."workspaceId", m."warehouseId", m."productId", t.type, m.quantity, :late,
       m."createdAt" + interval '1 minute'
FROM (SELECT * FROM stock_movements WHERE type = 'IN' AND quantity > 0 AND "createdAt" < '2025-06-01'
      ORDER BY "createdAt" DESC LIMIT 3 OFFSET :offset) AS m
CROSS JOIN (VALUES ('IN'), ('OUT')) AS t (type)
"""
LATE_UPDATE = """
UPDATE stock_movements SET reason = coalesce(reason, '') || ' (checked)'
WHERE id = (SELECT id FROM stock_movements WHERE "createdAt" < '2025-03-01' AND type = 'OUT'
            ORDER BY "createdAt" DESC LIMIT 1 OFFSET :offset)
"""
FINDINGS = """
SELECT d."organizationId", d.kind, d."warehouseId", d."productId", d."referenceId", d.expected, d.actual,
       d.details - 'createdAt'
FROM stock_discrepancies AS d JOIN stock_reconciliation_runs AS r ON r.id = d."runId"
WHERE r."runDate" = :run_date ORDER BY 1, 2, 3, 4, 5
"""


def findings(engine, run_date: dt.date) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(map(str, row)) for row in conn.execute(text(FINDINGS), {"run_date": run_date})]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movements", type=int, default=10_000_000)
    parser.add_argument("--orgs", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    url = database_url().set(database=DATABASE)
    prepare(url, args.movements, args.orgs)
    engine = create_db_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM stock_movements WHERE reason IN (:day, :late)"),
                     {"day": NIGHTLY_REASON, "late": LATE_REASON})  # fmt: skip
        movements = conn.execute(text("SELECT count(*) FROM stock_movements")).scalar_one()
        inventory = conn.execute(text("SELECT count(*) FROM inventory")).scalar_one()
        organizations = conn.execute(text("SELECT count(*) FROM organizations")).scalar_one()
    run_date = options_for("small", orgs=args.orgs, start=START).end
    reconcile(engine, run_date, sealed_balances=False)  # warm the cache the same way for every run

    full_runs = []
    for _ in range(args.runs):
        started = time.perf_counter()
        full = reconcile(engine, run_date, sealed_balances=False)
        full_runs.append(time.perf_counter() - started)
    this_day, day = '"runDate" = %(d)s', {"d": run_date}
    full_limit = measure(
        engine,
        reads=["stock_movements", "inventory"],
        writes=[
            Output("stock_reconciliation_runs", this_day, day),
            Output(
                "stock_discrepancies", f'"runId" IN (SELECT id FROM stock_reconciliation_runs r WHERE {this_day})', day
            ),
            Output("stock_sealed_balances"),
            Output("stock_sealed_periods"),
        ],
    )
    with engine.begin() as conn:
        days = conn.execute(text('SELECT count(DISTINCT CAST("createdAt" AS date)) FROM stock_movements')).scalar_one()
        conn.execute(text(A_DAY), {"reason": NIGHTLY_REASON, "hours": 12})  # half a day's sources, in pairs
        day = conn.execute(text("SELECT count(*) FROM stock_movements WHERE reason = :r"), {"r": NIGHTLY_REASON})
        day_movements = day.scalar_one()

    nightly_runs, unsealed = [], []
    for repetition in range(args.runs):
        with engine.begin() as conn:
            conn.execute(text(LATE_DELETE), {"late": LATE_REASON})
            conn.execute(text(LATE_INSERT), {"late": LATE_REASON, "offset": 3 * repetition})
            conn.execute(text(LATE_UPDATE), {"offset": repetition})
        started = time.perf_counter()
        nightly = reconcile(engine, run_date)
        nightly_runs.append(time.perf_counter() - started)
        unsealed.append(sum(org.unsealed_pairs for org in nightly.organizations))
    modes = sorted({org.ledger for org in nightly.organizations})
    quiet_runs = []  # nights without a late movement: nothing to unseal
    for _ in range(args.runs):
        started = time.perf_counter()
        reconcile(engine, run_date)
        quiet_runs.append(time.perf_counter() - started)
    nightly_findings = findings(engine, run_date)
    reconcile(engine, run_date, sealed_balances=False)
    same = nightly_findings == findings(engine, run_date)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM stock_movements WHERE reason IN (:day, :late)"),
                     {"day": NIGHTLY_REASON, "late": LATE_REASON})  # fmt: skip
    engine.dispose()

    full_seconds, nightly_seconds = statistics.median(full_runs), statistics.median(nightly_runs)
    scan = full_limit.scan_seconds
    print()
    print(f"## stock reconciliation: {movements:,} movements ({days} days), {inventory:,} inventory rows, "
          f"{organizations} organizations ({dt.date.today()}, load average {load_average()})")  # fmt: skip
    print()
    print(REPORT_HEADER)
    print(report_row(f"full pass, median of {args.runs}", full_seconds, full_limit, "<= 3x"))
    print(f"| nightly with sealed balances (+{day_movements:,} movements of a day, late movements unsealing "
          f"{', '.join(map(str, unsealed))} pairs), median of {args.runs} | {nightly_seconds:.2f} s "
          f"| the full pass's bare scan {scan:.2f} s | {nightly_seconds / scan:.2f}x | <= 0.5x |")  # fmt: skip
    quiet = statistics.median(quiet_runs)
    print(f"| nightly with sealed balances, no late movement, median of {args.runs} | {quiet:.2f} s "
          f"| the full pass's bare scan {scan:.2f} s | {quiet / scan:.2f}x | <= 0.5x |")  # fmt: skip
    print()
    print(f"full runs: {', '.join(f'{s:.2f}' for s in full_runs)} s; "
          f"nightly runs: {', '.join(f'{s:.2f}' for s in nightly_runs)} s ({'/'.join(modes)} ledger); "
          f"without late movements: {', '.join(f'{s:.2f}' for s in quiet_runs)} s")  # fmt: skip
    print("findings (full pass): " + ", ".join(f"{kind} {full.findings[kind]}" for kind in KINDS))
    print(f"nightly findings equal a full pass's: {'yes' if same else 'NO'}")
    print(f"full pass: {full_seconds / full_limit.seconds:.2f}x the limit -> "
          f"{'met' if full_seconds <= 3 * full_limit.seconds else 'NOT met'}; "
          f"nightly: {nightly_seconds / scan:.2f}x the full bare scan -> "
          f"{'met' if nightly_seconds <= 0.5 * scan else 'NOT met'}; load average {load_average()}")  # fmt: skip


if __name__ == "__main__":
    main()
