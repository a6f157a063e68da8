"""Benchmark of the database maintenance jobs (see ../shared/specs/performance.md): backup, restore
check, health snapshot, VACUUM of a bloated table, REINDEX of bloated indexes.

    python bench/maintenance.py [--scale small] [--table stock_movements] [--update-share 0.3] [--delete-share 0.5]

Databases on the configured server (the embedded one, or DATABASE_URL's): the scale's generated
data is kept as `prometric_bench_maintenance_<scale>_loaded` (generated once, seed 42, history from
2023-01-01) and every run works on a fresh file copy of it, `prometric_bench_maintenance_<scale>`
(the run bloats and deletes rows, so each run starts from the same state), VACUUM (ANALYZE)d once
so the statistics collector knows its tables. Steps and the baseline each is measured against in
the same run:

1. `back_up` into a temporary archive folder, against a bare export of every table
   (`COPY (SELECT * FROM t) TO STDOUT (FORMAT binary)` through psycopg, read and discarded);
2. `restore_check` (restore of that backup into a scratch database + comparison), against the backup;
3. `take_snapshot`, p50 of 5, against the bare reads of the statistics views it stores (p50 of 5);
4. `vacuum_bloated_tables` on `--table` after an UPDATE of `--update-share` of its rows (autovacuum
   switched off for that table so it does not get there first), against a bare `count(*)` scan;
5. `reindex_bloated_indexes` on `--table` after a DELETE of `--delete-share` of its rows + VACUUM
   (ANALYZE), against a plain `CREATE INDEX` of the same definitions on the same table.

Prints the machine's load average (the machine is shared) and a markdown table; not part of `make test`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

import psycopg
from databases import migrated_database
from sqlalchemy.engine import Engine

from prometric_pipelines.config import libpq_url
from prometric_pipelines.db.engine import database_url
from prometric_pipelines.generate.run import generate, organization_count
from prometric_pipelines.generate.scales import options_for
from prometric_pipelines.maintenance import backup, health, indexes, tables
from prometric_pipelines.sql import load_sql

START = dt.date(2023, 1, 1)
SNAPSHOT_RUNS = 5
# A backend sends its table counters to the statistics collector at most once a second: without this
# the UPDATE's or DELETE's counts can land after the VACUUM that follows and undo what it reported.
FLUSH_STATISTICS = "SELECT pg_stat_force_next_flush()"
# what take_snapshot reads, without storing it: the tables', the indexes' and the sessions' statistics
STATISTICS_READS = (
    """SELECT count(*), sum(pg_total_relation_size(relid) + pg_table_size(relid) + pg_indexes_size(relid))
       FROM pg_stat_user_tables""",
    """SELECT count(*), sum(pg_relation_size(s.indexrelid)) FROM pg_stat_user_indexes s
       JOIN pg_index i ON i.indexrelid = s.indexrelid""",
    "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'",
)


def timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - started, value


def load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def prepare(scale: str) -> Engine:
    """A fresh copy of the scale's generated database (generated into the template on first use)."""
    loaded = f"prometric_bench_maintenance_{scale}_loaded"
    name = f"prometric_bench_maintenance_{scale}"
    template = migrated_database(loaded)
    if not organization_count(template):  # (generate is one transaction: organizations mean all of it)
        print(f"generating {scale} into {loaded} (once) …", flush=True)
        seconds, result = timed(generate, template, options_for(scale, start=START, seed=42))
        print(f"generated {result.total_rows:,} rows in {seconds:.1f} s", flush=True)
    template.dispose()
    with psycopg.connect(libpq_url(database_url().set(database="postgres")), autocommit=True) as admin:
        started = time.perf_counter()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{loaded}" STRATEGY FILE_COPY')
        print(f"copied {loaded} to {name} in {time.perf_counter() - started:.1f} s", flush=True)
    engine = migrated_database(name)  # (a no-op unless the code has migrations newer than the template)
    with psycopg.connect(libpq_url(engine.url), autocommit=True) as conn:
        seconds, _ = timed(conn.execute, "VACUUM (ANALYZE)")  # the copy's statistics start empty
        print(f"VACUUM (ANALYZE) of the copy in {seconds:.1f} s", flush=True)
    return engine


def user_tables(conn: psycopg.Connection) -> list[str]:
    return [row[0] for row in conn.execute(load_sql("maintenance", "user_tables").text)]


def bare_export(engine: Engine) -> tuple[float, int]:
    """Every table streamed out as binary COPY and discarded: seconds and bytes received."""
    received = 0
    with psycopg.connect(libpq_url(engine.url)) as conn:
        names = user_tables(conn)
        started = time.perf_counter()
        for qualified in names:
            with conn.cursor().copy(f"COPY (SELECT * FROM {qualified}) TO STDOUT (FORMAT binary)") as copy:
                for block in copy:
                    received += len(block)
        return time.perf_counter() - started, received


def bare_scan(engine: Engine, table: str) -> float:
    """A warm sequential `count(*)` of the table (index-only shortcuts off): seconds."""
    with psycopg.connect(libpq_url(engine.url)) as conn:
        for setting in ("enable_indexscan", "enable_indexonlyscan", "enable_bitmapscan"):
            conn.execute(f"SET {setting} = off")
        conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()  # warm the cache (and set hint bits)
        started = time.perf_counter()
        conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()
        return time.perf_counter() - started


def statistics_reads(engine: Engine) -> float:
    with psycopg.connect(libpq_url(engine.url)) as conn:
        started = time.perf_counter()
        for query in STATISTICS_READS:
            conn.execute(query).fetchall()
        return time.perf_counter() - started


def table_state(engine: Engine, table: str) -> dict[str, Any]:
    with engine.connect() as conn:
        return next(dict(row) for row in tables.table_activity(conn) if row["table_name"] == table)


def index_sizes(conn: psycopg.Connection, table: str) -> dict[str, tuple[int, str]]:
    """The table's indexes: name → (bytes, definition)."""
    rows = conn.execute(
        """SELECT c.relname, pg_relation_size(c.oid), pg_get_indexdef(c.oid)
           FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
           WHERE i.indrelid = to_regclass(%s) ORDER BY c.relname""",
        (f'"{table}"',),
    ).fetchall()
    return {name: (size, definition) for name, size, definition in rows}


def mib(size: float) -> str:
    return f"{size / 2**20:,.1f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="small")
    parser.add_argument("--table", default="stock_movements", help="the table bloated, vacuumed and reindexed")
    parser.add_argument("--update-share", type=float, default=0.3, help="share of its rows updated before VACUUM")
    parser.add_argument("--delete-share", type=float, default=0.5, help="share of its rows deleted before REINDEX")
    args = parser.parse_args()
    load_before = load_average()
    began = time.perf_counter()
    engine = prepare(args.scale)
    table = args.table
    rows: list[tuple[str, str, str, str]] = []  # measure | figure | baseline | ratio
    notes: list[str] = []

    # ---- 1. backup ---------------------------------------------------------------------------------
    folder = tempfile.mkdtemp(prefix="prometric-bench-maintenance-")
    try:
        with psycopg.connect(libpq_url(engine.url)) as conn:
            database_bytes = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        export_before, exported_bytes = bare_export(engine)
        backup_seconds, made = timed(
            backup.back_up, engine, run_key="bench", archive_url=folder, progress=lambda m: print(m, flush=True)
        )
        export_after, _ = bare_export(engine)
        export = min(export_before, export_after)
        manifest = made.manifest
        dumped_rows = sum(manifest["tables"].values())
        dump_seconds = manifest["duration_seconds"]
        rows.append((
            f"backup (`back_up`, whole call): {dumped_rows:,} rows in {len(manifest['tables'])} tables, "
            f"database {mib(database_bytes)}, dump {mib(manifest['size_bytes'])}",
            f"{backup_seconds:.2f} s = {database_bytes / 2**20 / backup_seconds:,.1f} MiB/s, "
            f"{dumped_rows / backup_seconds:,.0f} rows/s",
            f"bare binary COPY export of every table: {export:.2f} s",
            f"{backup_seconds / export:.2f}×",
        ))  # fmt: skip
        rows.append((
            "backup, pg_dump alone (manifest's duration_seconds)",
            f"{dump_seconds:.2f} s",
            f"{export:.2f} s",
            f"{dump_seconds / export:.2f}×",
        ))  # fmt: skip
        notes.append(
            f"bare export: {export_before:.2f} s before the backup, {export_after:.2f} s after (best used); "
            f"{mib(exported_bytes)} of binary COPY received; "
            f"dump/database size {manifest['size_bytes'] / database_bytes:.2f}"
        )
        assert len(backup.list_backups(backup.backup_directory(engine.url.database, folder))) == 1

        # ---- 2. restore check --------------------------------------------------------------------------
        check_seconds, checked = timed(
            backup.restore_check, engine, archive_url=folder, progress=lambda m: print(m, flush=True)
        )
        rows.append((
            f"restore check (`restore_check`: restore into a scratch database + compare {checked.tables_compared} "
            f"tables, {checked.checksums_compared} checksums)",
            f"{check_seconds:.2f} s, {checked.rows_restored / check_seconds:,.0f} rows/s, "
            f"{'matches' if checked.matches else 'MISMATCH: ' + checked.mismatch_summary()}",
            f"the backup: {backup_seconds:.2f} s",
            f"{check_seconds / backup_seconds:.2f}×",
        ))  # fmt: skip
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    # ---- 3. health snapshot ------------------------------------------------------------------------
    snapshots, reads = [], []
    for run in range(SNAPSHOT_RUNS):
        seconds, report = timed(health.take_snapshot, engine, run_key=f"bench-{run}")
        snapshots.append(seconds)
        reads.append(statistics_reads(engine))
    snapshot, read = statistics.median(snapshots), statistics.median(reads)
    rows.append((
        f"health snapshot (`take_snapshot`, p50 of {SNAPSHOT_RUNS}): {len(report.tables)} tables, "
        f"{len(report.indexes)} indexes",
        f"{snapshot * 1000:.1f} ms",
        f"bare reads of the statistics views it stores (p50 of {SNAPSHOT_RUNS}): {read * 1000:.1f} ms",
        f"{snapshot / read:.1f}×",
    ))  # fmt: skip
    notes.append(
        "snapshots (ms): "
        + ", ".join(f"{s * 1000:.1f}" for s in snapshots)
        + "; bare reads (ms): "
        + ", ".join(f"{s * 1000:.1f}" for s in reads)
    )

    # ---- 4. vacuum of a bloated table --------------------------------------------------------------
    with psycopg.connect(libpq_url(engine.url), autocommit=True) as conn:
        conn.execute(f'ALTER TABLE "{table}" SET (autovacuum_enabled = false)')  # (the copy is thrown away)
        live = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        attributes = "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attnum > 0"
        columns = {row[0] for row in conn.execute(attributes, (f'"{table}"',))}
        column = '"updatedAt"' if "updatedAt" in columns else '"createdAt"'  # (stock_movements has no updatedAt)
        # a deterministic ~share of the rows, values unchanged: each updated row leaves a dead version behind
        update = (
            f'UPDATE "{table}" SET {column} = {column} '
            f"WHERE abs(hashtext(id::text)) % 1000 < {args.update_share * 1000:.0f}"
        )
        update_seconds, cursor = timed(conn.execute, update)
        updated = cursor.rowcount
        conn.execute(FLUSH_STATISTICS)
    analyze_seconds, analyzed = timed(tables.analyze_changed_tables, engine, tables=[table])
    scan = bare_scan(engine, table)
    before = table_state(engine, table)
    vacuum_seconds, vacuumed = timed(
        tables.vacuum_bloated_tables, engine, tables=[table], progress=lambda m: print(m, flush=True)
    )
    after = table_state(engine, table)
    done = vacuumed.vacuumed[0] if vacuumed.vacuumed else None
    rows.append((
        f"VACUUM (`vacuum_bloated_tables`) of {table} ({live:,} rows) after updating {updated:,}: dead tuples "
        f"{before['dead_tuples']:,} → {after['dead_tuples']:,}, table {mib(before['table_bytes'])} → "
        f"{mib(after['table_bytes'])}" + ("" if done else " — NOT VACUUMED (below threshold)"),
        f"{vacuum_seconds:.2f} s",
        f"bare count(*) scan of the bloated {table}: {scan:.3f} s",
        f"{vacuum_seconds / scan:.1f}×",
    ))  # fmt: skip
    rows.append((
        f"ANALYZE (`analyze_changed_tables`) of {table} after the update ({len(analyzed.analyzed)} table)",
        f"{analyze_seconds:.2f} s",
        f"{scan:.3f} s",
        f"{analyze_seconds / scan:.1f}×",
    ))  # fmt: skip
    notes.append(
        f"the UPDATE of {updated:,} rows (SET {column} = {column}) took {update_seconds:.2f} s; of the VACUUM call, "
        f"the VACUUM (ANALYZE) statement itself took {done.seconds if done else 0:.2f} s"
    )

    # ---- 5. reindex of bloated indexes -------------------------------------------------------------
    with psycopg.connect(libpq_url(engine.url), autocommit=True) as conn:
        delete_seconds, cursor = timed(
            conn.execute,
            f'DELETE FROM "{table}" WHERE abs(hashtext(reverse(id::text))) % 1000 < {args.delete_share * 1000:.0f}',
        )
        deleted = cursor.rowcount
        conn.execute(FLUSH_STATISTICS)
        prune_seconds, _ = timed(conn.execute, f'VACUUM (ANALYZE) "{table}"')
        sizes_before = index_sizes(conn, table)
    reindex_seconds, rebuilt = timed(
        indexes.reindex_bloated_indexes,
        engine,
        bloat_ratio=0.2,
        min_bloat_bytes=0,
        tables=[table],
        progress=lambda m: print(m, flush=True),
    )
    with psycopg.connect(libpq_url(engine.url), autocommit=True) as conn:
        sizes_after = index_sizes(conn, table)
        create_seconds = 0.0
        for item in rebuilt.rebuilt:  # the same definitions built plainly on the same table, then dropped
            definition = re.sub(r"INDEX \S+ ON", "INDEX bench_baseline_index ON", sizes_before[item.index][1], count=1)
            seconds, _ = timed(conn.execute, definition)
            create_seconds += seconds
            conn.execute("DROP INDEX bench_baseline_index")
    names = [item.index for item in rebuilt.rebuilt]
    total_before = sum(sizes_before[name][0] for name in names)
    total_after = sum(sizes_after[name][0] for name in names)
    rows.append((
        f"REINDEX CONCURRENTLY (`reindex_bloated_indexes`) of {table} after deleting {deleted:,} rows + VACUUM: "
        f"{len(names)} of {len(sizes_before)} indexes rebuilt, {mib(total_before)} → {mib(total_after)}",
        f"{reindex_seconds:.2f} s",
        f"plain CREATE INDEX of the same {len(names)} definitions: {create_seconds:.2f} s",
        f"{reindex_seconds / create_seconds:.2f}×" if create_seconds else "—",
    ))  # fmt: skip
    notes.append(
        f"the DELETE of {deleted:,} rows took {delete_seconds:.2f} s, its VACUUM (ANALYZE) {prune_seconds:.2f} s; "
        "indexes (before → after): "
        + ", ".join(
            f"{name} {mib(size)} → {mib(sizes_after.get(name, (0, ''))[0])}"
            + (f" (est. bloat {item.estimated_bloat_ratio:.0%})" if (item := _find(rebuilt, name)) else " (kept)")
            for name, (size, _) in sizes_before.items()
        )
    )
    statements = sum(item.seconds for item in rebuilt.rebuilt)
    notes.append(f"of the reindex call, the REINDEX INDEX CONCURRENTLY statements took {statements:.2f} s")
    if rebuilt.failed:
        notes.append(f"FAILED rebuilds: {rebuilt.failed}")
    engine.dispose()

    print()
    print(
        f"## database maintenance, {args.scale} ({dt.datetime.now():%Y-%m-%d %H:%M}), "
        f"database prometric_bench_maintenance_{args.scale}"
    )
    print()
    print("| measure | figure | baseline (same run) | ratio |")
    print("|---|---|---|---:|")
    for measure, figure, baseline, ratio in rows:
        print(f"| {measure} | {figure} | {baseline} | {ratio} |")
    print()
    for note in notes:
        print(f"- {note}")
    print(
        f"- load average (1, 5, 15 min) at the start: {load_before}; at the end: {load_average()} "
        f"({os.cpu_count()} cores, shared); whole script {time.perf_counter() - began:.0f} s"
    )


def _find(result: indexes.ReindexResult, name: str) -> indexes.RebuiltIndex | None:
    return next((item for item in result.rebuilt if item.index == name), None)


if __name__ == "__main__":
    main()
