"""Benchmark of the audit_logs masking trigger's cost in a bulk load (docs/audit.md, "Cost of the trigger").

    python bench/audit_trigger.py [--copies 8] [--repeat 5]

In the database `prometric_bench_audit_trigger` on the configured server (the embedded one, or
DATABASE_URL's): the generator's audit rows (`demo`, 2 organizations, 120 days: ~25,000 rows, the
ERP's shapes) are kept aside, then loaded COPIES times over into an emptied `audit_logs` by one binary
COPY, once per variant of the trigger, the variants interleaved REPEAT times: no trigger, the filter of
revision 20261206200500, the current filter, and no filter (the function for every row). A second
measure times each filter alone on the same rows (a SELECT, no write), which is far less noisy.
Prints the medians; not part of `make test`. Leaves the current trigger and the original rows in place.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import statistics
import time

import psycopg
from databases import migrated_database  # bench/, next to this script

from prometric_pipelines.config import PROJECT_ROOT, libpq_url
from prometric_pipelines.generate.run import generate
from prometric_pipelines.generate.scales import options_for

DATABASE = "prometric_bench_audit_trigger"
COLUMNS = (
    '"organizationId", "userId", action, entity, "entityId", "oldValue", "newValue", "ipAddress", "userAgent", '
    '"createdAt"'
)
MIGRATION = PROJECT_ROOT / "migrations" / "versions" / "20261206201000_cheaper_audit_masking_filter.py"


def _migration():
    spec = importlib.util.spec_from_file_location("cheaper_audit_masking_filter", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=8, help="times the generated rows are loaded in one COPY")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    migration = _migration()
    variants = {
        "no trigger": None,
        "filter of 20261206200500": migration.trigger_sql(migration.PREVIOUS_WHEN),
        "current filter": migration.trigger_sql(migration.WHEN),
        "no filter (every row)": migration.trigger_sql(None),
    }
    conditions = {
        "filter of 20261206200500": migration.PREVIOUS_WHEN,
        "current filter": migration.WHEN,
    }

    engine = migrated_database(DATABASE)
    url = libpq_url(engine.url)
    with psycopg.connect(url) as conn:
        if conn.execute("SELECT to_regclass('bench_audit_source')").fetchone()[0] is None:
            generate(engine, options_for("demo", orgs=2, days=120, start=dt.date(2025, 6, 1)))
            conn.execute(f"CREATE TABLE bench_audit_source AS SELECT {COLUMNS} FROM audit_logs")
            conn.commit()
        source_rows = conn.execute("SELECT count(*) FROM bench_audit_source").fetchone()[0]
        rows = source_rows * args.copies
        payload = bytearray()
        repeated = f"SELECT {COLUMNS} FROM bench_audit_source, generate_series(1, {args.copies})"
        query = f"COPY ({repeated}) TO STDOUT (FORMAT binary)"
        with conn.cursor().copy(query) as copy:
            for chunk in copy:
                payload += chunk
        let_through = {
            name: conn.execute(
                f"SELECT count(*) FILTER (WHERE {when.replace('NEW.', '')}) FROM bench_audit_source"
            ).fetchone()[0]
            for name, when in conditions.items()
        }

        load: dict[str, list[float]] = {name: [] for name in variants}
        filter_only: dict[str, list[float]] = {name: [] for name in conditions}
        conn.execute("SET max_parallel_workers_per_gather = 0")
        for _ in range(args.repeat):
            for name, trigger in variants.items():
                conn.execute("DROP TRIGGER IF EXISTS audit_logs_mask_secrets ON audit_logs")
                if trigger:
                    conn.execute(trigger)
                conn.execute("TRUNCATE audit_logs")
                conn.commit()
                started = time.perf_counter()
                with conn.cursor().copy(f"COPY audit_logs ({COLUMNS}) FROM STDIN (FORMAT binary)") as copy:
                    copy.write(bytes(payload))
                conn.commit()
                load[name].append(time.perf_counter() - started)
            for name, when in conditions.items():
                started = time.perf_counter()
                conn.execute(
                    f"SELECT count(*) FILTER (WHERE {when.replace('NEW.', '')}) "
                    f"FROM bench_audit_source, generate_series(1, {args.copies})"
                ).fetchone()
                filter_only[name].append(time.perf_counter() - started)
        # back to the migrated trigger and the generated rows
        conn.execute("DROP TRIGGER IF EXISTS audit_logs_mask_secrets ON audit_logs")
        conn.execute(variants["current filter"])
        conn.execute("TRUNCATE audit_logs")
        conn.execute(f"INSERT INTO audit_logs ({COLUMNS}) SELECT {COLUMNS} FROM bench_audit_source")
        conn.commit()
    engine.dispose()

    print(f"{rows:,} rows per COPY ({source_rows:,} generated rows x {args.copies}), median of {args.repeat}, "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    base = statistics.median(load["no trigger"])
    for name, times in load.items():
        median = statistics.median(times)
        print(f"  COPY, {name:<26} {median:7.2f} s  {rows / median:>9,.0f} rows/s  {median / base:5.2f}x")
    for name, times in filter_only.items():
        median = statistics.median(times)
        print(f"  filter alone, {name:<26} {median / rows * 1e6:5.2f} us/row, lets {let_through[name]} of "
              f"{source_rows:,} rows through")  # fmt: skip


if __name__ == "__main__":
    main()
