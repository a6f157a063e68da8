"""Benchmark of audit-log archival (issue 21): rows/s end to end, the limit and the ratio, peak memory, load.

    python bench/archive.py [--rows 5000000] [--orgs 4] [--months 12] [--archive-url s3://bucket/prefix]

Database `prometric_bench_archive` on the configured server (the embedded one, or DATABASE_URL's).
The first run generates the `demo` scale (for organizations and users) and a source table of
`--rows` synthetic audit rows spread over `--months` months of 2024 (server-side, kept between
runs), loads audit_logs from it (into one partition per month, as archive runs keep it) and keeps
that database as the template `prometric_bench_archive_loaded` (loaded again when the schema's newest
migration changes); later runs copy the template (a file copy: seconds instead of a 10-minute reload
with indexes) and archive everything before 2025-01-01 into a fresh folder (export + verify + publish +
retention, the whole protocol). With `--archive-url` (e.g. a bucket, with the standard AWS_* settings;
`python -m tests.seaweedfs` starts a local SeaweedFS and prints them), the same rows are archived a
second time, from a fresh copy of the database, into a unique prefix under that URL (removed
afterwards), and both runs' figures are printed side by side.

The limit, measured in the same run on the rows the run archives (before it): a bare parallel scan
(`count(*)`, bench/limits.py) plus the zstd Parquet write of those rows (what the archive writes).
Also printed: the bare ADBC read of the same rows (binary COPY -> Arrow: what any export pays), the
bare CSV COPY out, and the ratios. Peak memory: the process's RSS sampled every 50 ms during the
archive run (psutil), and ru_maxrss. The machine is shared: the load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import shutil
import tempfile
import threading
import time
import uuid
from pathlib import Path

import adbc_driver_postgresql.dbapi as adbc
import psutil
import psycopg
import pyarrow as pa
from limits import REPORT_HEADER, Limit, bare_scan, load_average, report_row
from sqlalchemy import text

from prometric_pipelines.audit.archive import ArchiveResult, archive_audit_logs
from prometric_pipelines.audit.export import SCHEMA, parquet_writer
from prometric_pipelines.audit.storage import Archive
from prometric_pipelines.config import libpq_url
from prometric_pipelines.db.engine import create_db_engine, database_url
from prometric_pipelines.db.migrate import migrate
from prometric_pipelines.generate.run import generate
from prometric_pipelines.generate.scales import options_for

DATABASE = "prometric_bench_archive"
LOADED = f"{DATABASE}_loaded"  # template: the database right after loading, copied for each run
CUTOFF = dt.date(2025, 1, 1)

_SOURCE = """
    CREATE UNLOGGED TABLE bench_audit_source AS
    SELECT gen_random_uuid() AS id, o.id AS "organizationId", o."createdBy" AS "userId",
           (ARRAY['CREATE', 'UPDATE', 'DELETE', 'LOGIN'])[1 + i % 4]::varchar(100) AS action,
           (ARRAY['orders', 'invoices', 'payments', 'tasks', 'deals', 'users'])[1 + i % 6]::varchar(100) AS entity,
           gen_random_uuid() AS "entityId",
           CASE WHEN i % 3 = 0 THEN NULL ELSE jsonb_build_object('status', 'CONFIRMED', 'version', i % 17) END
               AS "oldValue",
           CASE WHEN i % 97 = 0 THEN jsonb_build_object('password', md5(i::text), 'email', 'u' || i || '@kz.example')
                ELSE jsonb_build_object('status', 'DELIVERED', 'totalAmount', round((i % 100000) * 1.37, 2),
                                        'comment', 'Заказ ' || i) END AS "newValue",
           ('10.' || i % 256 || '.' || (i / 256) % 256 || '.7')::varchar(45) AS "ipAddress",
           'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36' AS "userAgent",
           timestamp '2024-01-01' + ((i / {orgs}) % {months}) * interval '1 month'
               + ((i / ({orgs} * {months})) % 2400000) * interval '1 second' AS "createdAt"
    FROM generate_series(0, {rows} - 1) AS i
    JOIN (SELECT id, "createdBy", row_number() OVER (ORDER BY id) - 1 AS n FROM organizations) o
      ON o.n = i % {orgs}
"""


def _head_revision() -> str:
    """The newest migration file: a template loaded under an older schema is loaded again."""
    versions = Path(__file__).resolve().parent.parent / "migrations" / "versions"
    return max(path.name.split("_", 1)[0] for path in versions.glob("*.py"))


def prepare(url, rows: int, orgs: int, months: int) -> None:
    """The bench database with `rows` audit rows loaded; a copy of the template LOADED when it matches."""
    shape = f"rows={rows} orgs={orgs} months={months} schema={_head_revision()}"
    admin = psycopg.connect(libpq_url(url.set(database="postgres")), autocommit=True)
    with admin:
        template = admin.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [LOADED]
        ).fetchone()
        if template is not None and template[0] == shape:
            started = time.perf_counter()
            admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{DATABASE}" TEMPLATE "{LOADED}" STRATEGY FILE_COPY')
            print(f"copied the loaded database from {LOADED} in {time.perf_counter() - started:.1f} s", flush=True)
            engine = create_db_engine(url.set(database=DATABASE))
            migrate(engine)  # (a no-op unless the code has migrations newer than the template)
            engine.dispose()
            return
        _load(url, rows, orgs, months)
        # keep the loaded state as a template: the next run copies files instead of reloading 5M rows
        admin.execute(f'DROP DATABASE IF EXISTS "{LOADED}"')
        admin.execute(f'CREATE DATABASE "{LOADED}" TEMPLATE "{DATABASE}" STRATEGY FILE_COPY')
        admin.execute(f"COMMENT ON DATABASE \"{LOADED}\" IS '{shape}'")


def _load(url, rows: int, orgs: int, months: int) -> None:
    with psycopg.connect(libpq_url(url.set(database="postgres")), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
    bench_url = url.set(database=DATABASE)
    engine = create_db_engine(bench_url)
    migrate(engine)
    with psycopg.connect(libpq_url(bench_url), autocommit=True) as conn:
        if not conn.execute("SELECT count(*) FROM organizations").fetchone()[0]:
            generate(engine, options_for("demo", orgs=orgs, start=dt.date(2025, 1, 1)))
        have = conn.execute("SELECT to_regclass('bench_audit_source') IS NOT NULL").fetchone()[0]
        if have and conn.execute("SELECT count(*) FROM bench_audit_source").fetchone()[0] != rows:
            conn.execute("DROP TABLE bench_audit_source")
            have = False
        if not have:
            started = time.perf_counter()
            conn.execute(_SOURCE.format(months=months, rows=rows, orgs=orgs))
            print(f"generated {rows:,} source rows in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        conn.execute("TRUNCATE audit_log_archives")
        conn.execute("DELETE FROM audit_logs")  # (the demo's own rows too: the figures are about the source)
        # a partition per month of the source first, as the archive runs keep it (rows go straight there)
        conn.execute("""SELECT prometric_audit_month_partition(CAST(m AS date))
                        FROM (SELECT DISTINCT date_trunc('month', "createdAt") AS m FROM bench_audit_source) s""")
        # in time order, as an audit log is written (organizations interleave within each page)
        conn.execute('INSERT INTO audit_logs SELECT * FROM bench_audit_source ORDER BY "createdAt"')
        conn.execute("VACUUM ANALYZE audit_logs")
        print(f"loaded audit_logs from the source in {time.perf_counter() - started:.1f} s")
    engine.dispose()


_EXPORTED = """
    SELECT id::text AS id, "organizationId"::text AS "organizationId", "userId"::text AS "userId", action, entity,
           "entityId"::text AS "entityId", "oldValue"::text AS "oldValue", "newValue"::text AS "newValue",
           "ipAddress", "userAgent", "createdAt"
    FROM audit_logs WHERE "createdAt" < '{cutoff}'
"""


def baselines(url) -> dict[str, float]:
    """Before the run, on the rows it will archive: the bare reads, and the Parquet write of those rows."""
    figures = {}
    engine = create_db_engine(url)
    where = {"audit_logs": f"\"createdAt\" < '{CUTOFF}'"}
    figures["scan"], figures["rows"] = bare_scan(engine, ["audit_logs"], where=where)
    engine.dispose()
    with psycopg.connect(libpq_url(url)) as conn:
        started = time.perf_counter()
        with conn.cursor().copy(f"COPY ({_EXPORTED.format(cutoff=CUTOFF)}) TO STDOUT (FORMAT csv)") as copy:
            for _ in copy:
                pass
        figures["csv"] = time.perf_counter() - started
    # the same rows through ADBC into Arrow batches (the read any export pays), and, timed apart, the
    # zstd Parquet write of those batches into one file (the write the archive pays)
    read = write = 0.0
    with (
        tempfile.TemporaryDirectory(prefix="prometric-bench-parquet-") as folder,
        adbc.connect(libpq_url(url)) as arrow,
        arrow.cursor() as cursor,
    ):
        began = time.perf_counter()
        cursor.execute(_EXPORTED.format(cutoff=CUTOFF))
        reader = cursor.fetch_record_batch()
        read += time.perf_counter() - began
        with parquet_writer(Path(folder) / "all.parquet") as writer:
            while True:
                began = time.perf_counter()
                try:
                    batch = reader.read_next_batch()
                except StopIteration:
                    break
                read += time.perf_counter() - began
                began = time.perf_counter()
                writer.write_batch(pa.RecordBatch.from_arrays(batch.columns, schema=SCHEMA))
                write += time.perf_counter() - began
    figures["adbc"], figures["parquet"] = read, write
    return figures


class PeakRss:
    """Samples this process's resident memory every 50 ms."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        process = psutil.Process()
        while not self._stop.is_set():
            self.peak = max(self.peak, process.memory_info().rss)
            time.sleep(0.05)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def archive_into(url, archive_url: str | None) -> tuple[ArchiveResult, int, PeakRss, int, int]:
    """One archive run of the bench database into a fresh local folder (None) or a fresh prefix of
    `archive_url`; the result, the bytes written, the peak memory, the rows left live and the partitions
    of audit_logs left. The archive is removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="prometric-bench-archive-"))
    target = str(folder) if archive_url is None else f"{archive_url.rstrip('/')}/bench-{uuid.uuid4().hex[:8]}"
    archive = Archive.from_url(target)
    engine = create_db_engine(url)
    try:
        with PeakRss() as rss:
            result = archive_audit_logs(engine, archive, before=CUTOFF)
        keys = archive.store.list()
        size = sum(archive.store.size(key) or 0 for key in keys if key.endswith(".parquet"))
        with engine.connect() as conn:
            left = conn.execute(text("SELECT count(*) FROM audit_logs")).scalar_one()
            partitions = conn.execute(text(_PARTITIONS)).scalar_one()
        if archive_url is not None:
            for key in keys:
                archive.store.delete(key)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        engine.dispose()
    return result, size, rss, left, partitions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--orgs", type=int, default=4)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--archive-url", help="also archive into this ARCHIVE_URL (s3://bucket/prefix) and compare")
    args = parser.parse_args()
    url = database_url().set(database=DATABASE)
    prepare(database_url(), args.rows, args.orgs, args.months)
    load_before = load_average()
    base = baselines(url)
    rss_before = psutil.Process().memory_info().rss
    result, size, rss, left, partitions = archive_into(url, None)
    rows = result.rows_archived
    rate = rows / result.seconds
    limit = Limit(base["scan"], base["rows"], base["parquet"], rows)
    export = base["adbc"] + base["parquet"]
    print()
    print(f"## audit archival: {rows:,} rows, {result.files_written} files ({dt.date.today()})")
    print(f"load average: {load_before} before the baselines, {load_average()} after the run (2 cores, shared)")
    print()
    print("| stage | seconds | rows/s |")
    print("|---|---:|---:|")
    for stage, seconds in (
        ("export (one scan per month: ADBC binary COPY -> Arrow -> split by organization -> Parquet zstd; "
         "summed over the months, two at a time)", result.export_seconds),
        ("verify (DuckDB re-read: count + id checksum; summed, two months at a time)", result.verify_seconds),
        ("publish (hard link or upload; read back + SHA-256; summed, two months at a time)", result.publish_seconds),
        ("manifests + DETACH/DROP of the month, in month order (DELETE where it cannot go whole)",
         result.delete_seconds),
        ("(step 4 waiting for the run's exports to end before a DETACH: overlaps the exports)",
         result.detach_wait_seconds),
        ("**end to end**", result.seconds),
        ("baseline: bare parallel scan (count(*)) of the archived rows", base["scan"]),
        ("baseline: Parquet zstd write of the same rows (from Arrow in memory)", base["parquet"]),
        ("baseline: bare ADBC read (binary COPY -> Arrow, the export's columns)", base["adbc"]),
        ("baseline: bare CSV COPY out of the same rows (read and discarded)", base["csv"]),
    ):  # fmt: skip
        print(f"| {stage} | {seconds:.1f} | {f'{rows / seconds:,.0f}' if seconds else '-'} |")
    print()
    print(f"Parquet written: {size / 2**20:,.0f} MiB ({size / max(rows, 1):.0f} bytes/row); rows left live: {left:,}; "
          f"partitions left: {partitions}")  # fmt: skip
    print(
        f"peak RSS during the run: {rss.peak / 2**20:,.0f} MiB (before it: {rss_before / 2**20:,.0f} MiB); "
        f"ru_maxrss of the process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB"
    )
    print()
    print(REPORT_HEADER)
    print(report_row("audit archival (limit = bare scan + Parquet write of its rows)", result.seconds, limit,
                     ">= 0.7x the limit's throughput (ratio <= 1.43)"))  # fmt: skip
    print()
    print(f"throughput / the limit's (bare scan + Parquet write): {limit.seconds / result.seconds:.2f}x "
          f"-> {'met' if limit.seconds / result.seconds >= 0.7 else 'NOT met'} (target >= 0.7x)")  # fmt: skip
    print(f"throughput / bare ADBC read + Parquet write: {export / result.seconds:.2f}x")
    print(f"throughput / bare ADBC read alone: {base['adbc'] / result.seconds:.2f}x")
    print(f"target: >= 150,000 rows/s end to end -> {'met' if rate >= 150_000 else 'NOT met'} ({rate:,.0f} rows/s)")
    print(f"target: peak memory <= 1 GiB -> {'met' if rss.peak <= 2**30 else 'NOT met'} ({rss.peak / 2**20:,.0f} MiB)")
    if args.archive_url:
        prepare(database_url(), args.rows, args.orgs, args.months)  # the same rows again, from the template
        remote, remote_size, remote_rss, _, _ = archive_into(url, args.archive_url)
        print()
        print(f"## the same {remote.rows_archived:,} rows into {args.archive_url}")
        print()
        print(
            "| archive | files | MiB | export s | verify s | publish s | manifests + DETACH/DELETE s | end to end s "
            "| rows/s | peak RSS MiB |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for label, run, written, peak in (
            ("local folder", result, size, rss), (args.archive_url, remote, remote_size, remote_rss)
        ):  # fmt: skip
            print(
                f"| {label} | {run.files_written} | {written / 2**20:,.1f} | {run.export_seconds:.1f} | "
                f"{run.verify_seconds:.1f} | {run.publish_seconds:.1f} | {run.delete_seconds:.1f} | "
                f"{run.seconds:.1f} | {run.rows_archived / run.seconds:,.0f} | {peak.peak / 2**20:,.0f} |"
            )


_PARTITIONS = "SELECT count(*) FROM pg_inherits WHERE inhparent = CAST('audit_logs' AS regclass)"


if __name__ == "__main__":
    main()
