"""Backups of the operational database: pg_dump custom format to the archive storage, manifests,
retention, restore and the restore check.

Layout: `{ARCHIVE_URL}/backups/<database>/<database>-<YYYYmmddTHHMMSSZ>.dump` and, beside it, its
manifest `<same>.json` (size, SHA-256, duration, server and pg_dump versions, the row count of every
table, checksums of a few tables), in a local folder or an S3 bucket (prometric_pipelines/storage).
A backup exists once its manifest does: pg_dump writes a private staged file, which is published
create-only (streamed in parts to a bucket, read back and its SHA-256 checked), and the manifest is
created last with a conditional write; a crash leaves no half backup that looks whole (staged files,
unfinished uploads and dumps without manifest of this job's naming are removed by the next backup).

Secrets and modes: the dump leaves out the rows of `security_tenant_keys` (the key that signs tenant
proofs: whoever holds it can pose as any tenant's session), and a restore generates a fresh key
(docs/maintenance.md says what to do with it). Dumps and manifests are 0600 in 0700 folders.

Consistency: the row counts and checksums are taken in a REPEATABLE READ transaction whose snapshot
pg_dump reads too (`pg_export_snapshot()` + `pg_dump --snapshot`), so they describe the dump exactly
even while the ERP keeps writing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql as pgsql
from sqlalchemy import text
from sqlalchemy.engine import URL, Connection, Engine, RowMapping

from prometric_pipelines.audit.storage import Archive
from prometric_pipelines.business_calendar import local_date, month_index
from prometric_pipelines.config import child_environment, display_url, libpq_url
from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.errors import PrometricError
from prometric_pipelines.maintenance.clients import ClientPrograms, client_programs
from prometric_pipelines.sql import SQL_DIR, load_sql
from prometric_pipelines.storage import LocalStore, ObjectStore, PreconditionFailed, open_store
from prometric_pipelines.storage.base import file_sha256

BACKUP_DIR = "backups"
MANIFEST_FORMAT = 1
DUMP_SUFFIX = ".dump"
MANIFEST_SUFFIX = ".json"
TEMP_SUFFIX = ".tmp"
_OUR_DUMP_NAME = re.compile(r".+-\d{8}T\d{6}Z\.dump")
# "A checksum of a few tables": the ones an auditor would ask for first, small enough to hash daily.
DEFAULT_CHECKSUM_TABLES = ("organizations", "users", "employees", "payroll", "invoices", "payments")
DEFAULT_DAILY_DAYS = 14
DEFAULT_MONTHLY_MONTHS = 12
RESTORE_CHECK_INFIX = "_restore_check_"
# bytes of the database's name in a scratch database's: 63 − the infix − the 14-digit time stamp
SCRATCH_NAME_BYTES = 63 - len(RESTORE_CHECK_INFIX) - 14
# gzip level 1: measured on `small` (330 MiB), 2.4 s and a 57 MiB file against 6.4 s and 47 MiB at
# pg_dump's default level; the wheel's pg_dump has neither lz4 nor zstd. `-Z 1` reads the same on 14-18.
DUMP_COMPRESSION = "1"
# tables whose rows a backup never holds (their structure it does): a restore regenerates them
SECRET_TABLES = ("security_tenant_keys",)

Progress = Callable[[str], None]


class CorruptBackup(PrometricError):
    """A backup file whose content does not match its manifest (or that has no readable manifest)."""


# ---- where backups live ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupLocation:
    """The backups of one database: `prefix` (…/backups/<database>/) in a store."""

    store: ObjectStore
    prefix: str

    @property
    def url(self) -> str:
        return self.store.object_url(self.prefix.rstrip("/")) if self.prefix else self.store.url

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"


def backup_location(database: str, archive_url: str | None = None) -> BackupLocation:
    """`{ARCHIVE_URL}/backups/<database>/`: the backups of one database."""
    return BackupLocation(open_store(archive_url), f"{BACKUP_DIR}/{database}/")


def backup_directory(database: str, archive_url: str | None = None) -> Path:
    """The local folder of one database's backups (ARCHIVE_URL a local folder)."""
    return Archive.from_url(archive_url).root / BACKUP_DIR / database


def _as_location(where: Path | BackupLocation) -> BackupLocation:
    return where if isinstance(where, BackupLocation) else BackupLocation(LocalStore(where), "")


@dataclass(frozen=True)
class BackupFile:
    location: BackupLocation
    name: str  # the dump's file name
    manifest: dict[str, Any]

    @property
    def key(self) -> str:
        return self.location.key(self.name)

    @property
    def manifest_key(self) -> str:
        return self.location.key(manifest_name_of(self.name))

    @property
    def url(self) -> str:
        return self.location.store.object_url(self.key)

    @property
    def dump(self) -> Path:
        """The dump's own file, in a local folder (a bucket's objects are read through `url`)."""
        path = self.location.store.local_path(self.key)
        if path is None:
            raise AttributeError(f"{self.url} is not a local file")
        return path

    @property
    def manifest_path(self) -> Path:
        return manifest_path_of(self.dump)

    @property
    def started_at(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.manifest["started_at"])

    @property
    def local_date(self) -> dt.date:
        """The business day (the country's zone) the backup was taken on: what retention counts in."""
        return local_date(self.started_at)

    @property
    def table_rows(self) -> dict[str, int]:
        return {name: int(count) for name, count in self.manifest["tables"].items()}


def manifest_path_of(dump: Path) -> Path:
    return dump.with_suffix(MANIFEST_SUFFIX)


def manifest_name_of(dump_name: str) -> str:
    return dump_name.removesuffix(DUMP_SUFFIX) + MANIFEST_SUFFIX


def read_backup(path: Path) -> BackupFile:
    """A backup from its local dump file or manifest; CorruptBackup when either is missing or unreadable."""
    dump = path.with_suffix(DUMP_SUFFIX) if path.suffix == MANIFEST_SUFFIX else path
    return read_backup_at(BackupLocation(LocalStore(dump.parent), ""), dump.name)


def read_backup_at(location: BackupLocation, name: str) -> BackupFile:
    """The backup `name` (its dump's or its manifest's file name) of a location."""
    dump_name = name.removesuffix(MANIFEST_SUFFIX) + DUMP_SUFFIX if name.endswith(MANIFEST_SUFFIX) else name
    store, manifest_key = location.store, location.key(manifest_name_of(dump_name))
    if not store.exists(location.key(dump_name)):
        raise CorruptBackup(f"no backup file at {store.object_url(location.key(dump_name))}")
    recorded = store.read_bytes(manifest_key)
    if recorded is None:
        raise CorruptBackup(
            f"{store.object_url(location.key(dump_name))} has no manifest ({manifest_name_of(dump_name)}): "
            "it is not a complete backup"
        )
    return BackupFile(location, dump_name, _parse_manifest(store.object_url(manifest_key), recorded.data))


def _parse_manifest(where: str, data: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise CorruptBackup(f"the manifest {where} is not readable JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT or "sha256" not in manifest:
        raise CorruptBackup(f"{where} is not a backup manifest of this platform")
    return manifest


def list_backups(where: Path | BackupLocation) -> list[BackupFile]:
    """The complete backups (dump + manifest) of a location (or local folder), oldest first."""
    location = _as_location(where)
    if isinstance(location.store, LocalStore) and not (location.store.root / location.prefix).exists():
        return []
    keys = location.store.list(location.prefix)
    names = {key[len(location.prefix) :] for key in keys if "/" not in key[len(location.prefix) :]}
    backups = []
    for name in sorted(names):
        dump_name = name.removesuffix(MANIFEST_SUFFIX) + DUMP_SUFFIX
        if not name.endswith(MANIFEST_SUFFIX) or dump_name not in names:
            continue
        recorded = location.store.read_bytes(location.key(name))
        try:
            manifest = _parse_manifest(name, recorded.data if recorded else b"")
        except CorruptBackup:
            continue  # a stray file: retention keeps its hands off it too
        backups.append(BackupFile(location, dump_name, manifest))
    return sorted(backups, key=lambda b: b.started_at)


def verify_backup_file(backup: BackupFile, local_copy: Path | None = None) -> None:
    """The dump's size and SHA-256 against its manifest, before anything reads it (of `local_copy`,
    the file pg_restore will read, when given)."""
    path = local_copy if local_copy is not None else backup.location.store.local_path(backup.key)
    size = path.stat().st_size if path is not None else backup.location.store.size(backup.key)
    if size != backup.manifest["size_bytes"]:
        raise CorruptBackup(
            f"backup {backup.name} is corrupt: {size:,} bytes, its manifest says "
            f"{backup.manifest['size_bytes']:,}; nothing was restored"
        )
    digest = file_sha256(path) if path is not None else backup.location.store.sha256(backup.key)
    if digest != backup.manifest["sha256"]:
        raise CorruptBackup(
            f"backup {backup.name} is corrupt: SHA-256 {digest[:12]}… differs from its manifest's "
            f"{backup.manifest['sha256'][:12]}…; nothing was restored"
        )


# ---- retention ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionPolicy:
    """Every backup of the last `daily_days` days, and the first backup of each of the last
    `monthly_months` months (the current month counts as one); the newest backup always."""

    daily_days: int = DEFAULT_DAILY_DAYS
    monthly_months: int = DEFAULT_MONTHLY_MONTHS


def backups_to_delete(backups: list[BackupFile], today: dt.date, policy: RetentionPolicy) -> list[BackupFile]:
    """The backups the policy no longer keeps, oldest first (pure: decides, deletes nothing)."""
    if not backups:
        return []
    ordered = sorted(backups, key=lambda b: b.started_at)
    keep = {ordered[-1].name}
    first_daily = today - dt.timedelta(days=policy.daily_days - 1)
    keep |= {b.name for b in ordered if b.local_date >= first_daily}
    months = {month_index(today) - offset for offset in range(policy.monthly_months)}
    first_of_month: dict[int, BackupFile] = {}
    for backup in ordered:
        first_of_month.setdefault(month_index(backup.local_date), backup)
    keep |= {b.name for month, b in first_of_month.items() if month in months}
    return [b for b in ordered if b.name not in keep]


def apply_retention(where: Path | BackupLocation, today: dt.date, policy: RetentionPolicy) -> list[str]:
    """Deletes what the policy no longer keeps (manifest first, so a crash half-way leaves a dump
    without manifest, which is not a backup and goes next time), staged files and unfinished uploads
    of killed runs, and dumps of this job's naming without a manifest."""
    location = _as_location(where)
    store = location.store
    deleted = []
    for backup in backups_to_delete(list_backups(location), today, policy):
        store.delete(backup.manifest_key)
        store.delete(backup.key)
        deleted.append(backup.name)
    store.clean_incomplete(location.prefix)
    names = {key[len(location.prefix) :] for key in store.list(location.prefix)}
    for name in sorted(names):
        # only files named as this job names them: a dump someone put here by hand is not ours to delete
        if _OUR_DUMP_NAME.fullmatch(name) and manifest_name_of(name) not in names:
            store.delete(location.key(name))
            deleted.append(name)
    return deleted


# ---- taking a backup ------------------------------------------------------------------------------


@dataclass
class BackupResult:
    backup: BackupFile
    deleted: list[str] = field(default_factory=list)
    kept: int = 0

    @property
    def manifest(self) -> dict[str, Any]:
        return self.backup.manifest


@contextmanager
def backup_lock(engine: Engine) -> Iterator[None]:
    """Backups, retention and restore checks of one database take turns (sql/maintenance/backup_lock.sql)."""
    with engine.connect() as conn:
        conn.execute(load_sql("maintenance", "backup_lock"))
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock_all()"))
            conn.commit()


def server_version(conn: Connection) -> tuple[int, str]:
    row = conn.execute(load_sql("maintenance", "server_major")).one()
    return int(row.major), str(row.version)


def back_up(
    engine: Engine,
    *,
    run_key: str,
    archive_url: str | None = None,
    policy: RetentionPolicy | None = None,
    checksum_tables: tuple[str, ...] = DEFAULT_CHECKSUM_TABLES,
    progress: Progress = lambda _: None,
) -> BackupResult:
    """pg_dump of the whole database (custom format) with its manifest, then retention."""
    policy = policy or RetentionPolicy()
    database = engine.url.database or ""
    location = backup_location(database, archive_url)
    store = location.store
    with backup_lock(engine):
        with engine.connect() as probe:
            major, version = server_version(probe)
            require_every_row_visible(probe)
        programs = client_programs(major, version)
        started = dt.datetime.now(dt.UTC)
        name = f"{database}-{started:%Y%m%dT%H%M%SZ}{DUMP_SUFFIX}"
        if store.exists(location.key(name)):  # two backups in one second: the second waits for a new name
            time.sleep(1.0)
            started = dt.datetime.now(dt.UTC)
            name = f"{database}-{started:%Y%m%dT%H%M%SZ}{DUMP_SUFFIX}"
        temporary = store.staging_path(location.key(name))  # 0600 before pg_dump writes into it (it keeps the mode)
        began = time.perf_counter()
        try:
            tables, checksums = _dump_at_one_snapshot(engine, programs, temporary, checksum_tables, progress)
            _check_archive_readable(programs, temporary)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        duration = time.perf_counter() - began
        try:  # create-only (streamed in parts to a bucket), read back and its SHA-256 checked
            published = store.put_file(location.key(name), temporary)
        except PreconditionFailed:
            raise PrometricError(
                f"{store.object_url(location.key(name))} appeared meanwhile (another backup?)"
            ) from None
        manifest = {
            "format": MANIFEST_FORMAT,
            "database": database,
            "file": name,
            "size_bytes": published.size,
            "sha256": published.sha256,
            "started_at": started.isoformat(),
            "finished_at": dt.datetime.now(dt.UTC).isoformat(),
            "duration_seconds": round(duration, 3),
            "server_version": version,
            "server_major": major,
            "pg_dump_version": programs.version,
            "run_key": run_key,
            "tables": tables,
            "checksums": checksums,
            "excluded_table_data": list(SECRET_TABLES),
        }
        # the backup exists from here on: its manifest, created last and only once
        document = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
        store.put_bytes(location.key(manifest_name_of(name)), document, expected_tag=None)
        progress(
            f"backup {published.url}: {published.size / 2**20:,.1f} MiB in {duration:.1f} s, "
            f"{sum(tables.values()):,} rows"
        )
        today = local_date(started)
        deleted = apply_retention(location, today, policy)
        kept = len(list_backups(location))
    if deleted:
        progress(f"retention deleted {len(deleted)} backup file(s); {kept} backup(s) kept")
    return BackupResult(BackupFile(location, name, manifest), deleted, kept)


def _dump_at_one_snapshot(
    engine: Engine,
    programs: ClientPrograms,
    output: Path,
    checksum_tables: tuple[str, ...],
    progress: Progress,
) -> tuple[dict[str, int], dict[str, dict[str, Any]]]:
    """Runs pg_dump on an exported snapshot while the same snapshot counts every table's rows."""
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            conn.execute(text("SET TRANSACTION READ ONLY"))
            snapshot = conn.execute(load_sql("maintenance", "export_snapshot")).scalar_one()
            command = [
                str(programs.pg_dump),
                "--format=custom",
                f"--compress={DUMP_COMPRESSION}",
                f"--snapshot={snapshot}",
                f"--file={output}",
                *(f"--exclude-table-data={table}" for table in SECRET_TABLES),
                # the maintenance login reads through its `USING (true)` policies (checked before the dump)
                "--enable-row-security",
                "--no-password",
                f"--dbname={libpq_url(engine.url.set(password=None))}",
            ]
            # pg_dump works on its own core while this connection counts and checksums
            dump = subprocess.Popen(
                command, env=_libpq_environment(engine.url), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
            try:
                # what the dump holds: no rows of the secret tables
                tables = table_row_counts(conn, skipped=SECRET_TABLES)
                checksums = table_checksums(conn, checksum_tables)
                progress(f"counted {sum(tables.values()):,} rows in {len(tables)} tables; waiting for pg_dump")
            finally:
                _, stderr = dump.communicate()
    if dump.returncode != 0:
        raise PrometricError(f"pg_dump failed: {_last_error_line(stderr)}")
    return tables, checksums


def _check_archive_readable(programs: ClientPrograms, dump: Path) -> None:
    """`pg_restore --list` reads the archive's table of contents: a truncated file fails here."""
    listed = subprocess.run([str(programs.pg_restore), "--list", str(dump)], capture_output=True)
    if listed.returncode != 0:
        raise PrometricError(f"the new backup is not readable by pg_restore: {_last_error_line(listed.stderr)}")


def _libpq_environment(url: URL) -> dict[str, str]:
    """The password goes to pg_dump/pg_restore in the environment, never on their command line."""
    return child_environment(PGPASSWORD=str(url.password)) if url.password else child_environment()


def _last_error_line(stderr: bytes | str | None) -> str:
    text_out = stderr.decode(errors="replace") if isinstance(stderr, bytes) else (stderr or "")
    lines = [line.strip() for line in text_out.splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower()]
    return (errors or lines or ["no output"])[0]


# ---- row counts and checksums ---------------------------------------------------------------------


def _user_tables(conn: Connection) -> list[RowMapping]:
    """Every table of the schema: name, catalog-quoted qualified name and name literal."""
    return list(conn.execute(load_sql("maintenance", "user_tables")).mappings())


def table_row_counts(conn: Connection, skipped: Iterable[str] = ()) -> dict[str, int]:
    """Exact row counts of every table the catalog lists, in one statement; `skipped` tables (whose rows a
    backup leaves out, and the maintenance login may not read) count 0. (db.stats.table_row_counts counts
    the tables of our metadata; a backup covers whatever the database holds, alembic_version too.)"""
    skipped = frozenset(skipped)
    every = _user_tables(conn)
    tables = [t for t in every if t["table_name"] not in skipped]
    counts = {t["table_name"]: 0 for t in every if t["table_name"] in skipped}
    if not tables:
        return counts
    union = " UNION ALL ".join(
        f"SELECT {t['name_literal']} AS table_name, count(*) AS row_count FROM {t['qualified_name']}" for t in tables
    )
    return counts | {row.table_name: int(row.row_count) for row in conn.execute(text(union))}


def require_every_row_visible(conn: Connection) -> None:
    """Refuses a backup by a login that row-level security would hide rows from (a table without a
    policy for it): such a dump would silently miss them."""
    hidden = list(
        conn.execute(load_sql("maintenance", "rls_hidden_tables"), {"skipped": list(SECRET_TABLES)}).scalars()
    )
    if hidden:
        user = conn.execute(text("SELECT current_user")).scalar_one()
        raise PrometricError(
            f"backup refused: {user} would not see every row of {', '.join(hidden)} (row-level security without "
            "a policy for it); nothing was written. Migrate the database (`prometric db migrate`) or back up with "
            "a login that sees every row (docs/security.md, Logins)"
        )


def table_checksums(conn: Connection, table_names: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Rows and order-free checksum (sql/maintenance/table_checksum.sql) of each named table that exists."""
    qualified = {t["table_name"]: t["qualified_name"] for t in _user_tables(conn)}
    template = (SQL_DIR / "maintenance" / "table_checksum.sql").read_text(encoding="utf-8")
    checksums = {}
    for name in table_names:
        if name in qualified:
            row = conn.execute(text(template.format(table=qualified[name]))).one()
            checksums[name] = {"rows": int(row.row_count), "checksum": str(row.checksum)}
    return checksums


# ---- restoring ------------------------------------------------------------------------------------


@dataclass
class RestoreResult:
    backup: BackupFile
    target: str  # display URL, password hidden
    created_database: bool
    tables_compared: int
    rows_restored: int
    row_mismatches: dict[str, tuple[int, int | None]]  # table → (manifest, restored)
    checksum_mismatches: dict[str, tuple[str, str]]
    checksums_compared: int
    seconds: float

    @property
    def matches(self) -> bool:
        return not self.row_mismatches and not self.checksum_mismatches

    def mismatch_summary(self) -> str:
        parts = [f"{t}: {e:,} rows in the manifest, {a if a is None else f'{a:,}'} restored"
                 for t, (e, a) in sorted(self.row_mismatches.items())]  # fmt: skip
        parts += [f"{t}: checksum differs" for t in sorted(self.checksum_mismatches)]
        return "; ".join(parts)


def resolve_backup(spec: str, database: str, archive_url: str | None = None) -> BackupFile:
    """`latest` (the newest backup of `database`), the path of a dump or of its manifest, or its
    s3://bucket/…/name.dump URL."""
    if spec.strip().lower() == "latest":
        location = backup_location(database, archive_url)
        backups = list_backups(location)
        if not backups:
            raise PrometricError(f"no backup of {database} in {location.url} yet: take one with `prometric db backup`")
        return backups[-1]
    if spec.startswith("s3://"):
        folder, _, name = spec.rstrip("/").rpartition("/")
        if not name.endswith((DUMP_SUFFIX, MANIFEST_SUFFIX)):
            raise PrometricError(f"{spec}: name a backup's .dump (or .json) object")
        location = BackupLocation(open_store(folder), "")
        try:
            return read_backup_at(location, name)
        except CorruptBackup as error:
            if str(error).startswith("no backup file"):
                raise PrometricError(f"{spec}: no such backup file") from None
            raise
    path = Path(spec).expanduser()
    if not path.exists():
        raise PrometricError(f"{spec}: no such backup file")
    return read_backup(path.resolve())


def restore(backup: BackupFile, target_url: URL, *, progress: Progress = lambda _: None) -> RestoreResult:
    """Restores a backup into an empty (or new) database and compares it with the manifest.

    Refused, with nothing changed: a file whose SHA-256 or size differs from its manifest; a target
    database holding any table; a server older than the backup's. The restore is one transaction
    (pg_restore --single-transaction --exit-on-error): it lands whole or not at all. A database
    created here is dropped again when the restore fails."""
    began = time.perf_counter()
    with backup.location.store.readable([backup.key]) as [dump]:  # a bucket's dump: a private local copy
        verify_backup_file(backup, dump)
        progress(f"{backup.name}: SHA-256 matches its manifest")
        return _restore_verified(backup, dump, target_url, began, progress)


def _restore_verified(
    backup: BackupFile, dump: Path, target_url: URL, began: float, progress: Progress
) -> RestoreResult:
    created = _prepare_target(target_url, backup)
    try:
        engine = create_db_engine(target_url)
        try:
            with engine.connect() as conn:
                major, version = server_version(conn)
                conn.execute(load_sql("maintenance", "ensure_platform_roles"))
                conn.commit()
            programs = client_programs(major, version)
            _run_pg_restore(programs, dump, target_url)
            progress(f"restored into {display_url(target_url)}; comparing with the manifest")
            with engine.connect() as conn:
                restored = table_row_counts(conn)
                expected_checksums = backup.manifest.get("checksums", {})
                checksums = table_checksums(conn, expected_checksums)
                regenerated = regenerate_tenant_key(conn)
                conn.commit()
            if regenerated:
                progress("generated a new tenant key (backups hold none): give it to the dashboards and jobs")
        finally:
            engine.dispose()
    except BaseException:
        if created:
            _drop_database(target_url)
        raise
    expected = backup.table_rows
    row_mismatches = {
        name: (count, restored.get(name)) for name, count in expected.items() if restored.get(name) != count
    }
    checksum_mismatches = {
        name: (str(want), str(checksums.get(name)))
        for name, want in expected_checksums.items()
        if checksums.get(name) != want
    }
    return RestoreResult(
        backup=backup,
        target=display_url(target_url),
        created_database=created,
        tables_compared=len(expected),
        rows_restored=sum(restored.values()),
        row_mismatches=row_mismatches,
        checksum_mismatches=checksum_mismatches,
        checksums_compared=len(expected_checksums),
        seconds=time.perf_counter() - began,
    )


def regenerate_tenant_key(conn: Connection) -> bool:
    """A fresh tenant key in a restored database that has none (its backup left the keys out)."""
    if "security_tenant_keys" not in {t["table_name"] for t in _user_tables(conn)}:
        return False
    return conn.execute(load_sql("maintenance", "regenerate_tenant_key")).rowcount > 0


def _admin_url(url: URL) -> URL:
    return url.set(database="postgres")


def _prepare_target(target_url: URL, backup: BackupFile) -> bool:
    """Creates the target database when missing (True), or checks that it is empty (False)."""
    name = target_url.database or ""
    if not name:
        raise PrometricError("the restore target URL names no database (…/database at its end)")
    with _connect(_admin_url(target_url)) as admin:
        exists = admin.execute("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = %s)", (name,)).fetchone()[0]
        major = int(admin.execute("SHOW server_version_num").fetchone()[0]) // 10000
        if major < int(backup.manifest["server_major"]):
            raise PrometricError(
                f"the backup is of PostgreSQL {backup.manifest['server_version']} and the target server is "
                f"PostgreSQL {major}: restore into a server of version {backup.manifest['server_major']} or newer"
            )
        if not exists:
            admin.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name)))
            return True
    with _connect(target_url) as target:
        relations = target.execute(load_sql("maintenance", "non_empty").text).fetchone()[0]
    if relations:
        raise PrometricError(
            f"the target database {name} already holds {relations} table(s) or other relations; restore into an "
            "empty or new database (--target-url …/new_database); nothing was changed"
        )
    return False


def _restorable_entries(programs: ClientPrograms, dump: Path, target_url: URL, work_dir: Path) -> Path | None:
    """A `pg_restore --use-list` file without the default privileges of roles the restoring login is not a
    member of (`ALTER DEFAULT PRIVILEGES FOR ROLE <owner>`, which only that role or a superuser may run:
    the maintenance login's restore check); None when every entry can be restored."""
    listed = subprocess.run([str(programs.pg_restore), "--list", str(dump)], capture_output=True, text=True)
    if listed.returncode != 0:
        raise PrometricError(f"pg_restore --list failed: {_last_error_line(listed.stderr)}")
    with _connect(target_url) as conn:
        member_of = {row[0] for row in conn.execute(load_sql("maintenance", "member_of_roles").text).fetchall()}
    kept, dropped = [], 0
    for line in listed.stdout.splitlines():
        parts = line.split()
        if " DEFAULT ACL " in line and not line.startswith(";") and parts and parts[-1] not in member_of:
            dropped += 1
            continue
        kept.append(line)
    if not dropped:
        return None
    entries = work_dir / f"{dump.name}.entries"
    entries.write_text("\n".join(kept) + "\n")
    return entries


def _run_pg_restore(programs: ClientPrograms, dump: Path, target_url: URL) -> None:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="prometric-restore-") as work_dir:
        entries = _restorable_entries(programs, dump, target_url, Path(work_dir))
        _pg_restore(programs, dump, target_url, entries)


def _pg_restore(programs: ClientPrograms, dump: Path, target_url: URL, entries: Path | None) -> None:
    command = [
        str(programs.pg_restore),
        "--single-transaction",
        "--exit-on-error",
        "--no-owner",  # the restoring login owns the schema, as whoever ran `prometric db migrate` did
        "--no-password",
        *([f"--use-list={entries}"] if entries else []),
        f"--dbname={libpq_url(target_url.set(password=None))}",
        str(dump),
    ]
    restored = subprocess.run(command, env=_libpq_environment(target_url), capture_output=True)
    if restored.returncode != 0:
        raise PrometricError(f"pg_restore failed, nothing was restored: {_last_error_line(restored.stderr)}")


def _connect(url: URL) -> psycopg.Connection:
    return psycopg.connect(libpq_url(url), autocommit=True, connect_timeout=10)


def _drop_database(url: URL) -> None:
    with _connect(_admin_url(url)) as admin:
        admin.execute(pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(pgsql.Identifier(url.database)))


# ---- the restore check ----------------------------------------------------------------------------


def restore_check(
    engine: Engine, *, archive_url: str | None = None, progress: Progress = lambda _: None
) -> RestoreResult:
    """Restores the newest backup of the operational database into a scratch database of the same
    server, compares every table's row count and the manifest's checksums, and drops the scratch
    database (also those earlier checks left behind after a crash)."""
    database = engine.url.database or ""
    # the database's name is shortened, never the infix: a prefix cut inside the name would also match the
    # operational database itself, which the clean-up below would then drop (names are at most 63 bytes)
    prefix = f"{database.encode()[:SCRATCH_NAME_BYTES].decode(errors='ignore')}{RESTORE_CHECK_INFIX}"
    with backup_lock(engine):
        backup = resolve_backup("latest", database, archive_url)
        with engine.connect() as conn:
            leftovers = list(conn.execute(load_sql("maintenance", "scratch_databases"), {"prefix": prefix}).scalars())
        for leftover in leftovers:
            _drop_database(engine.url.set(database=leftover))
            progress(f"dropped {leftover}, left behind by an earlier check")
        scratch = engine.url.set(database=f"{prefix}{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S}")
        try:
            return restore(backup, scratch, progress=progress)
        finally:
            _drop_database(scratch)
