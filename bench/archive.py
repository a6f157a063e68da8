"""Benchmark of audit-log archival (see ../shared/specs/performance.md): rows/s end to end and peak memory.

    python bench/archive.py [--rows 5000000] [--orgs 4] [--months 12] [--archive-url s3://bucket/prefix]

Database `prometric_bench_archive` on the configured server (the embedded one, or DATABASE_URL's).
The first run generates the `demo` scale (for organizations and users) and a source table of
`--rows` synthetic audit rows spread over `--months` months of 2024 (server-side, kept between
runs), loads audit_logs from it and keeps that database as the template `prometric_bench_archive_loaded`;
later runs copy the template (a file copy: seconds instead of a 10-minute reload with indexes) and
archive everything before 2025-01-01 into a fresh folder (export + verify + delete, the whole protocol).
With `--archive-url` (e.g. a bucket, with the standard AWS_* settings; `python -m tests.seaweedfs` starts
a local SeaweedFS and prints them), the same rows are archived a second time, from a fresh copy of the
database, into a unique prefix under that URL (removed afterwards), and both rows/s figures are printed
side by side. Peak memory: the process's RSS sampled every 50 ms during the archive run (psutil), and
ru_maxrss. Baselines in the same run: a bare `COPY audit_logs TO STDOUT` read and discarded
and the same through ADBC into Arrow batches (what any export must at least pay), and a sequential
scan (`count(*)`).
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

from prometric_pipelines.audit.archive import ArchiveResult, archive_audit_logs
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


def prepare(url, rows: int, orgs: int, months: int) -> None:
    """The bench database with `rows` audit rows loaded; a copy of the template LOADED when it matches."""
    shape = f"rows={rows} orgs={orgs} months={months}"
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
        # in time order, as an audit log is written (organizations interleave within each page)
        conn.execute('INSERT INTO audit_logs SELECT * FROM bench_audit_source ORDER BY "createdAt"')
        conn.execute("VACUUM ANALYZE audit_logs")
        print(f"loaded audit_logs from the source in {time.perf_counter() - started:.1f} s")
    engine.dispose()


def baselines(url) -> dict[str, float]:
    figures = {}
    with psycopg.connect(libpq_url(url)) as conn:
        started = time.perf_counter()
        with conn.cursor().copy("COPY audit_logs TO STDOUT (FORMAT csv)") as copy:
            for _ in copy:
                pass
        figures["bare COPY out (csv, read and discarded)"] = time.perf_counter() - started
        started = time.perf_counter()
        with adbc.connect(libpq_url(url)) as arrow, arrow.cursor() as cursor:
            cursor.execute("SELECT * FROM audit_logs")
            for _ in cursor.fetch_record_batch():
                pass
        figures["bare ADBC read (binary COPY -> Arrow, discarded)"] = time.perf_counter() - started
        started = time.perf_counter()
        conn.execute("SELECT count(*) FROM audit_logs").fetchone()
        figures["sequential scan (count(*))"] = time.perf_counter() - started
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


def archive_into(url, archive_url: str | None) -> tuple[ArchiveResult, int, PeakRss]:
    """One archive run of the bench database into a fresh local folder (None) or a fresh prefix of
    `archive_url`; the result, the bytes written, the peak memory. The archive is removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="prometric-bench-archive-"))
    target = str(folder) if archive_url is None else f"{archive_url.rstrip('/')}/bench-{uuid.uuid4().hex[:8]}"
    archive = Archive.from_url(target)
    engine = create_db_engine(url)
    try:
        with PeakRss() as rss:
            result = archive_audit_logs(engine, archive, before=CUTOFF)
        keys = archive.store.list()
        size = sum(archive.store.size(key) or 0 for key in keys if key.endswith(".parquet"))
        if archive_url is not None:
            for key in keys:
                archive.store.delete(key)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        engine.dispose()
    return result, size, rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--orgs", type=int, default=4)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--archive-url", help="also archive into this ARCHIVE_URL (s3://bucket/prefix) and compare")
    args = parser.parse_args()
    url = database_url().set(database=DATABASE)
    prepare(database_url(), args.rows, args.orgs, args.months)
    base = baselines(url)
    rss_before = psutil.Process().memory_info().rss
    result, size, rss = archive_into(url, None)
    rate = result.rows_archived / result.seconds
    print()
    print(f"## audit archival: {result.rows_archived:,} rows, {result.files_written} files ({dt.date.today()})")
    print()
    print("| stage | seconds | rows/s |")
    print("|---|---:|---:|")
    for stage, seconds in (
        ("export (ADBC binary COPY -> Arrow -> Parquet zstd, fsync)", result.export_seconds),
        ("verify (DuckDB re-read)", result.verify_seconds),
        ("publish (hard link or upload; read back + SHA-256)", result.publish_seconds),
        ("manifest + DELETE (one transaction per file)", result.delete_seconds),
        ("**end to end**", result.seconds),
    ):
        print(f"| {stage} | {seconds:.1f} | {result.rows_archived / seconds:,.0f} |")
    for label, seconds in base.items():
        print(f"| baseline: {label} | {seconds:.1f} | {result.rows_archived / seconds:,.0f} |")
    print()
    print(f"Parquet written: {size / 2**20:,.0f} MiB ({size / result.rows_archived:.0f} bytes/row)")
    print(
        f"peak RSS during the run: {rss.peak / 2**20:,.0f} MiB (before it: {rss_before / 2**20:,.0f} MiB); "
        f"ru_maxrss of the process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB"
    )
    for label, seconds in base.items():
        print(f"end to end / {label}: {result.seconds / seconds:.2f}x")
    print(f"target: >= 150,000 rows/s end to end -> {'met' if rate >= 150_000 else 'NOT met'} ({rate:,.0f} rows/s)")
    print(f"target: peak memory <= 1 GiB -> {'met' if rss.peak <= 2**30 else 'NOT met'} ({rss.peak / 2**20:,.0f} MiB)")
    if args.archive_url:
        prepare(database_url(), args.rows, args.orgs, args.months)  # the same rows again, from the template
        remote, remote_size, remote_rss = archive_into(url, args.archive_url)
        print()
        print(f"## the same {remote.rows_archived:,} rows into {args.archive_url}")
        print()
        print(
            "| archive | files | MiB | export s | verify s | publish s | manifest + DELETE s | end to end s "
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


if __name__ == "__main__":
    main()
