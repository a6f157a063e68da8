"""Moving audit logs older than the retention from PostgreSQL into Parquet files, and back.

The protocol for one piece (an organization's rows of one month older than the cutoff), as the
spec orders it; a crash between any two steps leaves a state the next run completes:

1. export the rows to a private staged file (`<final>.tmp` next to the final path on disk; a local
   staging folder for a bucket) in one REPEATABLE READ snapshot, which also gives the database's count
   and id checksum of the same rows, shared with the ADBC connection that streams them; flush and fsync;
2. verify: re-read the file with DuckDB; count and checksum must equal the database's;
3. publish it under its final key, create-only (a hard link on disk, `If-None-Match: *` on S3),
   read back and SHA-256 checked (the storage interface, prometric_pipelines/storage);
4. one transaction: insert the manifest (next link of the organization's hash chain) and DELETE the
   range, committing only when the deleted rows' count and checksum equal the file's.

Rows leave PostgreSQL only in step 4, after a verified file and with its manifest. A staged file, an
unfinished upload, or a file without a manifest (a crash before step 4 committed) is removed at the start of the
next run for that organization and the piece is exported again; a month whose rows are all
archived has nothing left to find and is skipped. One run at a time (an advisory lock).
"""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from sqlalchemy.engine import Connection, Engine

from prometric_pipelines import config
from prometric_pipelines.audit.export import export_to_parquet, inline_parameters
from prometric_pipelines.audit.manifests import (
    ARCHIVE,
    RESTORE,
    RangeStats,
    active_links,
    file_ids,
    file_stats,
    manifest_hash,
)
from prometric_pipelines.audit.storage import (
    Archive,
    ChainHead,
    file_sha256,
    organization_label,
    part_name,
)
from prometric_pipelines.config import libpq_url
from prometric_pipelines.db.engine import prepare_session
from prometric_pipelines.errors import PrometricError
from prometric_pipelines.operations.isolation import OrganizationFailure, run_per_organization, with_names
from prometric_pipelines.sql import load_sql
from prometric_pipelines.storage import PreconditionFailed
from prometric_pipelines.validation import require_organizations

# Fault injection for tests: the run stops (sleeps) at this named step until it is killed.
PAUSE_VARIABLE = "PROMETRIC_AUDIT_PAUSE_AT"
PAUSE_MARKER_VARIABLE = "PROMETRIC_AUDIT_PAUSE_MARKER"
STEPS = ("exported", "verified", "renamed", "deleted", "committed")
DELETE_ATTEMPTS = 3  # rows written into an archived range meanwhile: export the piece again
STEP = "audit_archive"  # the asset's step, in failure reports


class ArchiveIntegrityError(PrometricError):
    """A file or the database did not match what the protocol expected; nothing was deleted."""


def checkpoint(step: str) -> None:
    """Test hook: with PROMETRIC_AUDIT_PAUSE_AT=<step>, announce the step and wait to be killed."""
    if os.environ.get(PAUSE_VARIABLE) != step:
        return
    marker = os.environ.get(PAUSE_MARKER_VARIABLE)
    if marker:
        Path(marker).write_text(step)
    while True:
        time.sleep(3600)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after (or before) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def retention_cutoff(as_of_month: dt.date, retention_months: int) -> dt.date:
    """Rows created before this date are older than the retention, for a run as of the end of
    `as_of_month`: the live table keeps `retention_months` whole months (the schedule on the 1st
    of December runs November's partition: with 12 months, everything before 1 December last year goes)."""
    return add_months(as_of_month, 1 - retention_months)


def parse_retention(raw: str | None, default: int) -> int:
    """An organization's `settings.audit.retentionMonths` (absent: the default)."""
    if raw is None:
        return default
    text = str(raw).strip()
    if not text.isdigit() or not 1 <= int(text) <= 1200:
        raise ValueError(f"settings.audit.retentionMonths {raw!r} is not a number of months (1-1200)")
    return int(text)


@dataclass
class Piece:
    """The outcome of one (organization, month) piece."""

    organization_id: str | None
    year: int
    month: int
    rows: int
    path: str
    masked_values: int = 0
    attempts: int = 1
    url: str = ""  # the object's URL (file:// or s3://)
    size_bytes: int = 0
    sha256: str = ""


@dataclass
class OrganizationScope:
    organization_id: str | None
    cutoff: dt.date | None
    retention_months: int | None
    skip_reason: str | None = None


@dataclass
class ArchiveResult:
    run_key: str
    scopes: list[OrganizationScope]
    pieces: list[Piece] = field(default_factory=list)
    failures: list[OrganizationFailure] = field(default_factory=list)  # scopes stopped by their data
    swept_files: int = 0
    kept_files: list[str] = field(default_factory=list)  # no manifest, but rows not live: never deleted
    heads: dict[str, ChainHead] = field(default_factory=dict)  # organization label -> its chain's newest link
    export_seconds: float = 0.0
    verify_seconds: float = 0.0
    publish_seconds: float = 0.0  # step 3: the file published (uploaded), read back, SHA-256 checked
    delete_seconds: float = 0.0
    seconds: float = 0.0

    @property
    def rows_archived(self) -> int:
        return sum(piece.rows for piece in self.pieces)

    @property
    def files_written(self) -> int:
        return len(self.pieces)


class _Lock:
    """The run's advisory lock, on a connection of its own (not pooled: a session lock must not
    outlive the run in a pool). Killing the process closes the connection and frees the lock."""

    def __init__(self, engine: Engine) -> None:
        self._connection = psycopg.connect(libpq_url(engine.url), autocommit=True, application_name="prometric")
        prepare_session(self._connection)  # a killed run's lock wait ends with it

    def __enter__(self) -> _Lock:
        self._connection.execute(load_sql("audit", "lock_archive").text)
        return self

    def __exit__(self, *exc: object) -> None:
        self._connection.close()


def _org_params(organization_id: str | None) -> dict[str, str | None]:
    return {"organization_id": organization_id}


def resolve_scopes(
    conn: Connection,
    organization_ids: Iterable[str] | None,
    *,
    before: dt.date | None,
    as_of_month: dt.date,
    default_retention: int,
) -> list[OrganizationScope]:
    """Which organizations to archive, each with its cutoff; the global rows when no ids are given."""
    ids = require_organizations(conn, organization_ids) if organization_ids is not None else None
    rows = conn.execute(load_sql("audit", "organization_retention"), {"organization_ids": ids}).all()
    scopes: list[OrganizationScope] = []
    if ids is None:
        scopes.append(_scope(None, None, before, as_of_month, default_retention))
    scopes += [
        _scope(row.organization_id, row.retention_months, before, as_of_month, default_retention) for row in rows
    ]
    return scopes


def _scope(
    organization_id: str | None, raw_retention: str | None, before: dt.date | None, as_of: dt.date, default: int
) -> OrganizationScope:
    try:
        months = parse_retention(raw_retention, default)
    except ValueError as error:
        return OrganizationScope(organization_id, None, None, skip_reason=str(error))
    cutoff = before if before is not None else retention_cutoff(as_of, months)
    return OrganizationScope(organization_id, cutoff, months)


def archive_audit_logs(
    engine: Engine,
    archive: Archive,
    *,
    organization_ids: Iterable[str] | None = None,
    before: dt.date | None = None,
    as_of_month: dt.date | None = None,
    run_key: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> ArchiveResult:
    """Archives every organization's (or the given ones') rows older than its cutoff: `before` when
    given, else its retention counted from the end of `as_of_month` (default: last month)."""
    started = time.perf_counter()
    say = progress or (lambda _message: None)
    as_of = as_of_month or add_months(dt.date.today(), -1)
    with _Lock(engine):
        with engine.connect() as conn:
            scopes = resolve_scopes(
                conn,
                organization_ids,
                before=before,
                as_of_month=as_of,
                default_retention=config.audit_retention_months(),
            )
        result = ArchiveResult(run_key=run_key or uuid.uuid4().hex, scopes=scopes)
        by_organization = {scope.organization_id: scope for scope in scopes}

        def work(organization_id: str | None) -> None:
            # each piece is its own transaction: a failing piece is rolled back (nothing deleted) and
            # the organization's later months wait for the next run; earlier pieces stay archived
            scope = by_organization[organization_id]
            if scope.skip_reason is not None:
                say(f"{organization_label(scope.organization_id)}: skipped: {scope.skip_reason}")
                return
            swept = sweep(engine, archive, scope.organization_id, say)
            result.swept_files += swept.removed
            result.kept_files += swept.kept
            for piece in _archive_organization(engine, archive, scope, result):
                say(
                    f"{organization_label(piece.organization_id)} {piece.year:04d}-{piece.month:02d}: "
                    f"{piece.rows:,} rows -> {piece.path}"
                )
            head = record_head(engine, archive, scope.organization_id)
            if head is not None:
                result.heads[organization_label(scope.organization_id)] = head

        _, failures = run_per_organization(
            list(by_organization), work, step=STEP, also_isolate=(ArchiveIntegrityError,)
        )
        result.failures = with_names(engine, failures)
        for failure in result.failures:
            say(f"failed, rolled back: {failure.line()}")
    result.seconds = time.perf_counter() - started
    return result


def _archive_organization(engine: Engine, archive: Archive, scope: OrganizationScope, result: ArchiveResult):
    assert scope.cutoff is not None
    cutoff = dt.datetime.combine(scope.cutoff, dt.time())
    after = dt.datetime(1900, 1, 1)
    while True:
        with engine.connect() as conn:
            oldest = conn.execute(
                load_sql("audit", "next_archivable_row"),
                {**_org_params(scope.organization_id), "after": after, "cutoff": cutoff},
            ).scalar()
        if oldest is None:
            return
        month_start = dt.datetime(oldest.year, oldest.month, 1)
        month_end = dt.datetime.combine(add_months(month_start.date(), 1), dt.time())
        piece = _archive_piece(engine, archive, scope.organization_id, month_start, min(month_end, cutoff), result)
        if piece is not None:
            result.pieces.append(piece)
            yield piece
        after = month_end


def _archive_piece(
    engine: Engine,
    archive: Archive,
    organization_id: str | None,
    start: dt.datetime,
    end: dt.datetime,
    result: ArchiveResult,
) -> Piece | None:
    params = {**_org_params(organization_id), "start": start, "end": end}
    year, month = start.year, start.month
    for attempt in range(1, DELETE_ATTEMPTS + 1):
        with engine.connect() as conn:
            count = conn.execute(load_sql("audit", "month_file_count"), {**params, "year": year, "month": month})
            sequence = count.scalar_one() + 1
        folder = archive.month_dir(organization_id, year, month)
        while archive.store.exists(f"{folder}/{part_name(sequence)}"):
            sequence += 1  # a file kept without its manifest (rows not live) is never overwritten
        relative = f"{folder}/{part_name(sequence)}"
        temporary = archive.store.staging_path(relative)  # 0600 before the first row is written into it

        # 1. export (and the database's own statistics of the same rows, in the same snapshot)
        clock = time.perf_counter()
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            database = RangeStats(*conn.execute(load_sql("audit", "range_stats"), params).one())
            if database.row_count == 0:
                return None  # archived meanwhile (or everything before the cutoff already is)
            # the rows stream on an ADBC connection that imports this transaction's snapshot
            snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            select = inline_parameters(conn.connection.driver_connection, load_sql("audit", "export_rows"), params)
            exported = export_to_parquet(libpq_url(engine.url), snapshot, select, temporary)
        result.export_seconds += time.perf_counter() - clock
        checkpoint("exported")

        # 2. verify the file against the database
        clock = time.perf_counter()
        written = file_stats(temporary)
        if (written.row_count, written.checksum) != (database.row_count, database.checksum) or (
            exported.rows != database.row_count
        ):
            temporary.unlink(missing_ok=True)
            raise ArchiveIntegrityError(
                f"{relative}: the written file holds {written.row_count} rows (checksum {written.checksum}), "
                f"the database {database.row_count} (checksum {database.checksum}); nothing was deleted"
            )
        result.verify_seconds += time.perf_counter() - clock
        checkpoint("verified")

        # 3. publish under the final key (create-only), read back, SHA-256 checked
        clock = time.perf_counter()
        try:
            published = archive.store.put_file(relative, temporary)
        except PreconditionFailed:
            raise ArchiveIntegrityError(
                f"{relative} appeared while this run wrote it (another run?); nothing was deleted"
            ) from None
        sha256 = published.sha256
        result.publish_seconds += time.perf_counter() - clock
        checkpoint("renamed")

        # 4. manifest and DELETE, one transaction
        clock = time.perf_counter()
        with engine.connect() as conn, conn.begin() as transaction:
            manifest = {
                "organization_id": organization_id,
                "year": year,
                "month": month,
                "path": relative,
                "row_count": written.row_count,
                "min_created_at": written.min_created_at,
                "max_created_at": written.max_created_at,
                "file_sha256": sha256,
                "content_checksum": written.checksum,
                "run_key": result.run_key,
            }
            step = _append_link(conn, manifest, ARCHIVE, None)
            deleted = conn.execute(load_sql("audit", "delete_archived"), params).one()
            if (deleted.row_count, deleted.checksum) != (written.row_count, written.checksum):
                # rows were added to (or removed from) the range since the export: keep them all live,
                # and the file of this attempt goes (its rows were never deleted)
                transaction.rollback()
                archive.store.delete(relative)
                result.delete_seconds += time.perf_counter() - clock
                continue
            checkpoint("deleted")
        advance_head(archive, organization_id, step)
        result.delete_seconds += time.perf_counter() - clock
        checkpoint("committed")
        return Piece(
            organization_id, year, month, written.row_count, relative, exported.masked_values, attempt,
            published.url, published.size, sha256,
        )  # fmt: skip
    raise ArchiveIntegrityError(
        f"{organization_label(organization_id)} {year:04d}-{month:02d}: the rows kept changing during "
        f"{DELETE_ATTEMPTS} attempts; nothing was deleted (run again later)"
    )


@dataclass(frozen=True)
class ChainStep:
    """The chain's newest link before and after one appended link."""

    previous: ChainHead | None
    head: ChainHead


def _append_link(conn: Connection, fields: dict, action: str, restores_id: str | None) -> ChainStep:
    """Inserts the next link of the organization's chain (in the caller's transaction)."""
    params = {"organization_id": fields["organization_id"]}
    head = conn.execute(load_sql("audit", "chain_head"), params).one_or_none()
    manifest = {
        **fields,
        "chain_position": head.chain_position + 1 if head else 1,
        "prev_hash": head.hash if head else None,
        "archived_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
        "action": action,
        "restores_id": restores_id,
    }
    manifest["hash"] = manifest_hash(manifest)
    conn.execute(load_sql("audit", "insert_manifest"), manifest)
    previous = ChainHead(head.chain_position, head.hash) if head else None
    return ChainStep(previous, ChainHead(manifest["chain_position"], manifest["hash"]))


def advance_head(archive: Archive, organization_id: str | None, step: ChainStep) -> None:
    """Moves the recorded head to the new link only from the link it extends (or records a first head):
    a recorded head the chain no longer reaches stays as it is, the evidence `audit verify` reports."""
    try:
        recorded = archive.read_head(organization_id)
    except ValueError:
        return
    if recorded is None or recorded == step.previous:
        archive.write_head(organization_id, step.head, replacing=recorded)  # compare-and-swap


def record_head(engine: Engine, archive: Archive, organization_id: str | None) -> ChainHead | None:
    """Brings the head file up to the database's chain when the chain *extends* the recorded head (a run
    killed between its commit and the head write), or records a first head; a chain that does not
    contain the recorded head (truncated or rewritten) is left for `audit verify` to report."""
    with engine.connect() as conn:
        links = conn.execute(load_sql("audit", "manifests"), _org_params(organization_id)).all()
    if not links:
        return None
    newest = ChainHead(links[-1].chain_position, links[-1].hash)
    try:
        recorded = archive.read_head(organization_id)
    except ValueError:
        return newest  # unreadable: verify reports it; not overwritten here
    if recorded == newest:
        return newest
    if recorded is None or any((link.chain_position, link.hash) == (recorded.chain_position, recorded.hash)
                               for link in links):  # fmt: skip
        archive.write_head(organization_id, newest, replacing=recorded)  # compare-and-swap
    return newest


@dataclass
class SweepResult:
    removed: int = 0
    kept: list[str] = field(default_factory=list)


def rows_back_in_database(engine: Engine, archive: Archive, organization_id: str | None, key: str) -> bool:
    """Whether every row of an archived file is live in audit_logs (count and id checksum): only then
    may the file be removed. A file Parquet cannot read proves nothing and is kept."""
    try:
        with archive.store.readable([key]) as [path]:
            stats = file_stats(path)
            ids = file_ids(path)
    except Exception:  # a damaged file: never deleted on a guess (verify reports it)
        return False
    with engine.connect() as conn:
        live = conn.execute(load_sql("audit", "live_ids_stats"), {**_org_params(organization_id), "ids": ids}).one()
    return (live.row_count, live.checksum) == (stats.row_count, stats.checksum)


def sweep(
    engine: Engine, archive: Archive, organization_id: str | None, say: Callable[[str], None] | None = None
) -> SweepResult:
    """Removes what interrupted runs left in an organization's archive folder: temporary files, and
    Parquet files no active manifest lists (renamed but never committed, or restored) *whose rows are
    all live in the database*. A file without an active manifest whose rows are not live (a manifest
    removed or marked restored behind the archive's back) is kept and reported. Run under the lock."""
    result = SweepResult()
    prefix = archive.organization_prefix(organization_id)
    # staged files and unfinished uploads were never published, so their rows were never deleted
    # (step 4 needs the published file)
    result.removed += archive.store.clean_incomplete(prefix)
    keys = archive.store.list(prefix)
    if not keys:
        return result
    with engine.connect() as conn:
        manifests = conn.execute(load_sql("audit", "manifests"), _org_params(organization_id)).all()
    active = {m.path for m in active_links(manifests)}
    for key in keys:
        if key in active:
            continue
        if rows_back_in_database(engine, archive, organization_id, key):
            archive.store.delete(key)
            result.removed += 1
        else:
            result.kept.append(key)
            if say is not None:
                say(
                    f"{organization_label(organization_id)}: kept {key}: no active manifest "
                    "lists it but its rows are not in the database (see `prometric audit verify`)"
                )
    return result


# ---- restore ------------------------------------------------------------------------------------


@dataclass
class RestoredFile:
    organization_id: str | None
    path: str
    rows_in_file: int
    rows_inserted: int
    head: ChainHead


@dataclass
class RestoreResult:
    month: dt.date
    files: list[RestoredFile] = field(default_factory=list)
    heads: dict[str, ChainHead] = field(default_factory=dict)

    @property
    def rows_restored(self) -> int:
        return sum(f.rows_inserted for f in self.files)


_STAGING = """
    CREATE TEMPORARY TABLE audit_restore_staging (LIKE audit_logs INCLUDING DEFAULTS) ON COMMIT DROP
"""


def restore_month(
    engine: Engine,
    archive: Archive,
    month: dt.date,
    *,
    organization_ids: Iterable[str] | None = None,
    run_key: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> RestoreResult:
    """Puts one month's archived rows back into audit_logs (each organization's, or the given ones').

    Per file, one transaction inserts the rows not already live, proves that every row of the file is
    live (count and id checksum) and appends a restore link to the chain; only then is the file
    removed. A file that does not match its manifest's SHA-256 is refused.
    """
    say = progress or (lambda _message: None)
    key = run_key or uuid.uuid4().hex
    result = RestoreResult(month=month)
    with _Lock(engine):
        with engine.connect() as conn:
            ids = require_organizations(conn, organization_ids) if organization_ids is not None else None
            organizations = (
                ids
                if ids is not None
                else [
                    row.organization_id
                    for row in conn.execute(load_sql("audit", "manifest_organizations"), {"organization_ids": None})
                ]
            )
        for organization_id in organizations:
            sweep(engine, archive, organization_id, say)
            with engine.connect() as conn:
                links = conn.execute(load_sql("audit", "manifests"), _org_params(organization_id)).all()
            manifests = [m for m in active_links(links) if (m.year, m.month) == (month.year, month.month)]
            for manifest in manifests:
                restored = _restore_file(engine, archive, manifest, key)
                result.files.append(restored)
                result.heads[organization_label(organization_id)] = restored.head
                say(
                    f"{organization_label(organization_id)} {month:%Y-%m}: {restored.rows_inserted:,} rows restored "
                    f"from {restored.path}"
                )
    return result


def _restore_file(engine: Engine, archive: Archive, manifest, run_key: str) -> RestoredFile:
    if not archive.store.exists(manifest.path):
        raise ArchiveIntegrityError(f"{manifest.path} is missing: cannot restore it (see `prometric audit verify`)")
    with archive.store.readable([manifest.path]) as [path]:
        step = _restore_rows(engine, manifest, path, run_key)
    advance_head(archive, manifest.organization_id, step)
    archive.store.delete(manifest.path)
    return RestoredFile(manifest.organization_id, manifest.path, manifest.row_count, step.rows_inserted, step.head)


@dataclass(frozen=True)
class _RestoreStep(ChainStep):
    rows_inserted: int = 0


def _restore_rows(engine: Engine, manifest, path: Path, run_key: str) -> _RestoreStep:
    """One transaction: the file's rows not already live, proven live, and the restore link."""
    if file_sha256(path) != manifest.file_sha256:
        raise ArchiveIntegrityError(
            f"{manifest.path} differs from its manifest (SHA-256): not restored (see `prometric audit verify`)"
        )
    with engine.connect() as conn, conn.begin():
        conn.exec_driver_sql(_STAGING)
        raw = conn.connection.driver_connection
        with raw.cursor().copy("COPY audit_restore_staging FROM STDIN (FORMAT csv)") as copy:
            for batch in pq.ParquetFile(path).iter_batches(batch_size=65_536):
                sink = _CsvSink(copy)
                pacsv.write_csv(batch, sink, pacsv.WriteOptions(include_header=False))
        inserted = conn.execute(load_sql("audit", "restore_rows"), {"organization_id": manifest.organization_id})
        rows_inserted = inserted.rowcount
        live = conn.execute(
            load_sql("audit", "live_ids_stats"),
            {"organization_id": manifest.organization_id, "ids": file_ids(path)},
        ).one()
        if (live.row_count, live.checksum) != (manifest.row_count, manifest.content_checksum):
            raise ArchiveIntegrityError(
                f"{manifest.path}: after the restore {live.row_count} of its {manifest.row_count} rows are live "
                "(checksum differs); nothing was restored and the file is kept"
            )
        fields = {
            key: getattr(manifest, key)
            for key in ("organization_id", "year", "month", "path", "row_count", "min_created_at", "max_created_at",
                        "file_sha256", "content_checksum")
        }  # fmt: skip
        step = _append_link(conn, {**fields, "run_key": run_key}, RESTORE, manifest.id)
    return _RestoreStep(step.previous, step.head, rows_inserted)


class _CsvSink:
    """A minimal writable file for pyarrow's CSV writer that forwards bytes to a COPY."""

    def __init__(self, copy) -> None:
        self._copy = copy
        self.closed = False

    def write(self, data) -> int:
        self._copy.write(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass
