"""Moving audit logs older than the retention from PostgreSQL into Parquet files, and back.

The protocol for one month (every organization whose rows of the month are all older than its
cutoff); a crash between any two steps leaves a state the next run completes:

1. export the month in one scan (a REPEATABLE READ snapshot shared with the ADBC connection that
   streams the rows), split into one private staged file per organization (`<final>.<id>.tmp` next to
   the final path on disk; a local staging folder for a bucket), with the count of each organization's
   rows as streamed; flush and fsync;
2. verify: re-read each file with DuckDB: its count must equal the streamed one; its id checksum, computed
   here once, is the manifest's, which step 4 has the database prove against its rows;
3. publish each under its final key, create-only (a hard link on disk, `If-None-Match: *` on S3), read
   back and SHA-256 checked (the storage interface, prometric_pipelines/storage); a key that already
   exists means another run: that organization fails, nothing deleted;
4. one transaction: insert every organization's manifest (next link of its hash chain) and detach
   and drop the month's partition of audit_logs, only when the database proves (per organization:
   count and id checksum, writers locked out) that the partition holds exactly the rows of these
   files. When the month cannot go whole (an organization failed or is out of scope, another keeps
   the month live, rows arrived meanwhile), each organization's manifest commits with a DELETE of its
   rows instead, only when the deleted rows' count and checksum equal its file's (else its published
   object is deleted and the rows stay live).

A month cut by a cutoff (`--before` inside it) is archived per organization the same way with its
own export (`_archive_piece`). Rows leave PostgreSQL only in step 4, after a verified, published file
and with its manifest. A staged file, an unfinished upload, or a file without a manifest (a crash
before step 4 committed) is removed at the start of the next run for that organization and the piece
is exported again; a month whose rows are all archived has nothing left to find and is skipped. One
run at a time (an advisory lock).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from prometric_pipelines import config
from prometric_pipelines.audit.export import export_month_by_organization, export_to_parquet, inline_parameters
from prometric_pipelines.audit.manifests import (
    ARCHIVE,
    RESTORE,
    RangeStats,
    active_links,
    duckdb_connection,
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
from prometric_pipelines.business_calendar import add_months
from prometric_pipelines.config import libpq_url
from prometric_pipelines.db.engine import prepare_session
from prometric_pipelines.errors import PrometricError
from prometric_pipelines.monitoring.isolation import (
    OrganizationFailure,
    failure_reason,
    is_data_error,
    run_per_organization,
    with_names,
)
from prometric_pipelines.sql import load_sql
from prometric_pipelines.storage import PreconditionFailed, StoredObject
from prometric_pipelines.validation import require_organizations

STEPS = ("exported", "verified", "renamed", "deleted", "committed")
DELETE_ATTEMPTS = 3  # rows written into an archived range meanwhile: export the piece again
STEP = "audit_archive"  # the asset's step, in failure reports
PARTITIONS_AHEAD = 3  # months of audit_logs partitions created ahead by every run
# months whose export, verify and publish run at once (each on its own connections): the reading,
# masking and compressing of one month fill the cores the other leaves idle while it waits
PARALLEL_MONTHS = 2
# DETACH PARTITION needs a moment alone with audit_logs: a longer wait (a long query on the table) makes
# the month fall back to DELETE instead of queueing the ERP's audit writes behind it
DETACH_LOCK_TIMEOUT = "5s"
LOCK_NOT_AVAILABLE = "55P03"


class ArchiveIntegrityError(PrometricError):
    """A file or the database did not match what the protocol expected; nothing was deleted."""


def checkpoint(step: str) -> None:
    """Test hook: with PROMETRIC_AUDIT_PAUSE_AT=<step>, announce the step and wait to be killed."""
    if config.audit_pause_step() != step:
        return
    marker = config.audit_pause_marker()
    if marker:
        Path(marker).write_text(step)
    while True:
        time.sleep(3600)


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
    # step 4 waiting for the run's exports to end before a DETACH (overlaps them; not in delete_seconds)
    detach_wait_seconds: float = 0.0
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


class _ExportGate:
    """Keeps step 4's DETACH PARTITION and this run's exports apart. An export's snapshot holds a lock on
    audit_logs until it ends, and DETACH needs the table alone: waiting behind a running export would
    queue the ERP's audit writes behind it (or time out into the slow DELETE). Step 4 waits until no
    export runs and holds the gate while it detaches; exports wait only while it holds it. (Exports do
    not wait for a waiting step 4: the months are exported back to back and committed as gaps come.)"""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._exports = 0
        self._detaching = False

    @contextlib.contextmanager
    def export(self) -> Iterator[None]:
        with self._condition:
            self._condition.wait_for(lambda: not self._detaching)
            self._exports += 1
        try:
            yield
        finally:
            with self._condition:
                self._exports -= 1
                self._condition.notify_all()

    @contextlib.contextmanager
    def detach(self) -> Iterator[None]:
        with self._condition:
            self._condition.wait_for(lambda: not self._exports)
            self._detaching = True
        try:
            yield
        finally:
            with self._condition:
                self._detaching = False
                self._condition.notify_all()


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
    given, else its retention counted from the end of `as_of_month` (default: last month).

    Month by month, oldest first: the organizations whose whole month is older than their cutoff are
    exported in one scan of the month (`_archive_month`); a month cut by a cutoff is archived per
    organization up to it (`_archive_piece`)."""
    started = time.perf_counter()
    say = progress or (lambda _message: None)
    as_of = as_of_month or add_months(dt.date.today(), -1)
    with _Lock(engine):
        with engine.begin() as conn:
            conn.execute(load_sql("audit", "ensure_partitions"), {"months_ahead": PARTITIONS_AHEAD})
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
        for scope in scopes:
            if scope.skip_reason is not None:
                say(f"{organization_label(scope.organization_id)}: skipped: {scope.skip_reason}")
        active = [scope.organization_id for scope in scopes if scope.skip_reason is None]

        def clean_up(organization_id: str | None) -> None:
            swept = sweep(engine, archive, organization_id, say)
            result.swept_files += swept.removed
            result.kept_files += swept.kept

        _, failures = run_per_organization(active, clean_up, step=STEP, also_isolate=(ArchiveIntegrityError,))
        failed = {failure.organization_id: failure for failure in failures}

        def report(piece: Piece) -> None:
            result.pieces.append(piece)
            say(
                f"{organization_label(piece.organization_id)} {piece.year:04d}-{piece.month:02d}: "
                f"{piece.rows:,} rows -> {piece.path}"
            )

        # a failing piece is rolled back (nothing deleted) and its organization's later months wait for the
        # next run; its earlier months stay archived
        plan = _plan_months(engine, [by_organization[o] for o in active if o not in failed])
        months = sorted(plan)

        def whole_month(month_start: dt.date) -> list[OrganizationScope]:
            month_end = add_months(month_start, 1)
            return [s for s in plan[month_start] if s.organization_id not in failed and s.cutoff >= month_end]

        # steps 1-3 of PARALLEL_MONTHS months at once (each on its own connections and thread), month after
        # month; step 4 in month order, so manifests, chains and failures are those of one month at a time.
        # An organization that fails in a month has its later months' files (prepared meanwhile) removed.
        gate = _ExportGate()
        pool = ThreadPoolExecutor(PARALLEL_MONTHS, thread_name_prefix="audit-archive-month")
        prepared: dict[dt.date, Future[_PreparedMonth]] = {}
        for month_start in months:
            if whole := whole_month(month_start):
                prepared[month_start] = pool.submit(_prepare_month, engine, archive, month_start, whole, gate)
        try:
            for month_start in months:
                month_end = add_months(month_start, 1)
                pending = [scope for scope in plan[month_start] if scope.organization_id not in failed]
                # the partition may go only when every organization's rows of the month are archived by this run
                droppable = (
                    organization_ids is None
                    and not failed
                    and all(scope.skip_reason is None and scope.cutoff >= month_end for scope in scopes)
                )
                ready = prepared.pop(month_start).result() if month_start in prepared else None
                if ready is not None:
                    pieces, month_failures = _commit_prepared_month(
                        engine, archive, ready, result, droppable, set(failed), gate
                    )
                    for piece in pieces:
                        report(piece)
                    failed.update({failure.organization_id: failure for failure in month_failures})

                def cut(organization_id: str | None, month_start: dt.date = month_start) -> None:
                    end = dt.datetime.combine(by_organization[organization_id].cutoff, dt.time())
                    piece = _archive_piece(engine, archive, organization_id, _midnight(month_start), end, result)
                    if piece is not None:
                        report(piece)

                cut_off = [
                    s.organization_id for s in pending if s.cutoff < month_end and s.organization_id not in failed
                ]
                _, cut_failures = run_per_organization(cut_off, cut, step=STEP, also_isolate=(ArchiveIntegrityError,))
                failed.update({failure.organization_id: failure for failure in cut_failures})
        finally:
            pool.shutdown(cancel_futures=True)  # (a failed run does not prepare the months it will not commit)

        for organization_id in active:
            head = record_head(engine, archive, organization_id)
            if head is not None:
                result.heads[organization_label(organization_id)] = head
        order = {organization_id: index for index, organization_id in enumerate(by_organization)}
        result.failures = with_names(engine, sorted(failed.values(), key=lambda f: order[f.organization_id]))
        for failure in result.failures:
            say(f"failed, rolled back: {failure.line()}")
    result.seconds = time.perf_counter() - started
    return result


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def _plan_months(engine: Engine, scopes: list[OrganizationScope]) -> dict[dt.date, list[OrganizationScope]]:
    """The months with live rows before each organization's cutoff (one index probe per month found)."""
    plan: dict[dt.date, list[OrganizationScope]] = {}
    with engine.connect() as conn:
        for scope in scopes:
            assert scope.cutoff is not None
            cutoff = _midnight(scope.cutoff)
            after = dt.datetime(1900, 1, 1)
            while True:
                oldest = conn.execute(
                    load_sql("audit", "next_archivable_row"),
                    {**_org_params(scope.organization_id), "after": after, "cutoff": cutoff},
                ).scalar()
                if oldest is None:
                    break
                month_start = dt.date(oldest.year, oldest.month, 1)
                plan.setdefault(month_start, []).append(scope)
                after = _midnight(add_months(month_start, 1))
    return plan


@dataclass
class _NewFile:
    """A piece's file while it is written: its key in the store and the private staged file."""

    relative: str
    staged: Path


def _new_file(engine: Engine, archive: Archive, organization_id: str | None, year: int, month: int) -> _NewFile:
    """The next part of an (organization, month), its staged file created 0600 and empty."""
    with engine.connect() as conn:
        count = conn.execute(
            load_sql("audit", "month_file_count"), {**_org_params(organization_id), "year": year, "month": month}
        )
        sequence = count.scalar_one() + 1
    folder = archive.month_dir(organization_id, year, month)
    while archive.store.exists(f"{folder}/{part_name(sequence)}"):
        sequence += 1  # a file kept without its manifest (rows not live) is never overwritten
    relative = f"{folder}/{part_name(sequence)}"
    return _NewFile(relative, archive.store.staging_path(relative))  # 0600 before the first row is written


def _publish(archive: Archive, file: _NewFile) -> StoredObject:
    """Step 3: the staged file published under its key, create-only, read back and SHA-256 checked (the
    staged file is gone afterwards either way). An existing key is another run's: nothing deleted."""
    try:
        return archive.store.put_file(file.relative, file.staged)
    except PreconditionFailed:
        raise ArchiveIntegrityError(
            f"{file.relative} appeared while this run wrote it (another run?); nothing was deleted"
        ) from None


@dataclass
class _Verified:
    """A verified, published file waiting for its manifest: what step 4 commits."""

    organization_id: str | None
    file: _NewFile
    written: RangeStats
    published: StoredObject
    masked_values: int

    def piece(self, year: int, month: int, attempts: int = 1) -> Piece:
        return Piece(
            self.organization_id, year, month, self.written.row_count, self.file.relative, self.masked_values,
            attempts, self.published.url, self.published.size, self.published.sha256,
        )  # fmt: skip

    def manifest(self, year: int, month: int, run_key: str) -> dict:
        return {
            "organization_id": self.organization_id,
            "year": year,
            "month": month,
            "path": self.file.relative,
            "row_count": self.written.row_count,
            "min_created_at": self.written.min_created_at,
            "max_created_at": self.written.max_created_at,
            "file_sha256": self.published.sha256,
            "content_checksum": self.written.checksum,
            "run_key": run_key,
        }


@dataclass
class _PreparedMonth:
    """Steps 1-3 of one month done for several organizations: what step 4 commits, in month order."""

    month_start: dt.date
    organizations: list[str | None]
    verified: list[_Verified] = field(default_factory=list)
    failures: list[OrganizationFailure] = field(default_factory=list)
    on_its_own: bool = False  # the shared export could not take a value: each organization on its own
    export_seconds: float = 0.0
    verify_seconds: float = 0.0
    publish_seconds: float = 0.0


def _prepare_month(
    engine: Engine,
    archive: Archive,
    month_start: dt.date,
    scopes: list[OrganizationScope],
    gate: _ExportGate | None = None,
) -> _PreparedMonth:
    """Steps 1-3 of one month of several organizations, all of it older than their cutoffs: one export
    scan split into one file per organization, each verified and published. Nothing is deleted and no
    manifest written here, so two months may be prepared at once (`PARALLEL_MONTHS`)."""
    year, month = month_start.year, month_start.month
    start, end = _midnight(month_start), _midnight(add_months(month_start, 1))
    organizations = [scope.organization_id for scope in scopes]
    prepared = _PreparedMonth(month_start, organizations)
    files = {organization: _new_file(engine, archive, organization, year, month) for organization in organizations}

    # 1. export: one scan of the month, in one snapshot
    clock = time.perf_counter()
    params = {
        "organization_ids": [o for o in organizations if o is not None],
        "with_global": None in organizations,
        "start": start,
        "end": end,
    }
    try:
        with (
            gate.export() if gate is not None else contextlib.nullcontext(),
            engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn,
            conn.begin(),
        ):
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            select = inline_parameters(conn.connection.driver_connection, load_sql("audit", "export_month"), params)
            exported = export_month_by_organization(
                libpq_url(engine.url), snapshot, select, {o: files[o].staged for o in organizations}
            )
    except Exception as error:
        for file in files.values():
            file.staged.unlink(missing_ok=True)
        if not (is_data_error(error) or isinstance(error, ArchiveIntegrityError)):
            raise
        # a value of one organization the export cannot take: each organization on its own finds it
        prepared.export_seconds = time.perf_counter() - clock
        prepared.on_its_own = True
        return prepared
    prepared.export_seconds = time.perf_counter() - clock
    checkpoint("exported")

    # 2. verify each file against what the database streamed
    clock = time.perf_counter()
    written_files: list[tuple[str | None, RangeStats, int]] = []
    with duckdb_connection() as duckdb:  # one session for the month's files
        for organization_id in organizations:
            file, part = files[organization_id], exported[organization_id]
            if part.rows == 0:
                file.staged.unlink(missing_ok=True)  # archived meanwhile: nothing to write
                continue
            # the file's id checksum, read back here, is what the manifest records and what step 4 has the
            # database prove against the partition (or the deleted rows) before anything goes
            written = file_stats(file.staged, duckdb)
            if written.row_count != part.rows:
                file.staged.unlink(missing_ok=True)
                error = ArchiveIntegrityError(
                    f"{file.relative}: the written file holds {written.row_count} rows, "
                    f"the database sent {part.rows}; nothing was deleted"
                )
                prepared.failures.append(OrganizationFailure(organization_id, None, STEP, failure_reason(error)))
                continue
            written_files.append((organization_id, written, part.masked_values))
    prepared.verify_seconds = time.perf_counter() - clock
    checkpoint("verified")

    # 3. publish each file under its final key (create-only), read back, SHA-256 checked
    clock = time.perf_counter()
    by_written = {entry[0]: entry for entry in written_files}

    def publish(organization_id: str | None) -> _Verified:
        _, written, masked_values = by_written[organization_id]
        return _Verified(organization_id, files[organization_id], written, _publish(archive, files[organization_id]),
                         masked_values)  # fmt: skip

    # a key that already exists (another run) fails that organization alone, and the month cannot go whole
    prepared.verified, publish_failures = run_per_organization(
        list(by_written), publish, step=STEP, also_isolate=(ArchiveIntegrityError,)
    )
    prepared.failures += publish_failures
    prepared.publish_seconds = time.perf_counter() - clock
    checkpoint("renamed")
    return prepared


def _commit_prepared_month(
    engine: Engine,
    archive: Archive,
    prepared: _PreparedMonth,
    result: ArchiveResult,
    droppable: bool,
    failed_before: set[str | None],
    gate: _ExportGate | None = None,
) -> tuple[list[Piece], list[OrganizationFailure]]:
    """Step 4 of a prepared month, in month order: one transaction inserts every manifest and drops the
    month's partition when `droppable` and the database proves the files hold all its rows. Otherwise,
    or when that transaction fails, each organization commits its manifest with a DELETE of its rows on
    its own (a failure is that organization's alone). An organization that failed in an earlier month
    while this one was prepared waits for the next run: its published file (no manifest, its rows all
    live) is removed."""
    month_start = prepared.month_start
    year, month = month_start.year, month_start.month
    start, end = _midnight(month_start), _midnight(add_months(month_start, 1))
    result.export_seconds += prepared.export_seconds
    result.verify_seconds += prepared.verify_seconds
    result.publish_seconds += prepared.publish_seconds
    if prepared.on_its_own:
        organizations = [o for o in prepared.organizations if o not in failed_before]
        return _each_on_its_own(engine, archive, organizations, start, end, result)
    failures = [failure for failure in prepared.failures if failure.organization_id not in failed_before]
    verified = []
    for item in prepared.verified:
        if item.organization_id in failed_before:
            archive.store.delete(item.file.relative)
        else:
            verified.append(item)

    clock = time.perf_counter()
    pieces: list[Piece] = []
    if droppable and not failures and verified:
        with gate.detach() if gate is not None else contextlib.nullcontext():
            waited = time.perf_counter() - clock
            clock += waited
            result.detach_wait_seconds += waited
            steps = _commit_month(engine, month_start, verified, result.run_key)
        if steps is not None:
            for item, step in zip(verified, steps, strict=True):
                advance_head(archive, item.organization_id, step)
                pieces.append(item.piece(year, month))
            result.delete_seconds += time.perf_counter() - clock
            checkpoint("committed")
            return pieces, failures

    def commit(item: _Verified) -> Piece | None:
        if _commit_piece(engine, archive, item, year, month, start, end, result.run_key):
            return item.piece(year, month)
        # rows were added to (or removed from) the month meanwhile: export this organization's again
        return _archive_piece(engine, archive, item.organization_id, start, end, result, first_attempt=2)

    by_organization = {item.organization_id: item for item in verified}
    committed, commit_failures = run_per_organization(
        list(by_organization), lambda o: commit(by_organization[o]), step=STEP, also_isolate=(ArchiveIntegrityError,)
    )
    result.delete_seconds += time.perf_counter() - clock
    checkpoint("committed")
    return pieces + [piece for piece in committed if piece is not None], failures + commit_failures


def _archive_month(
    engine: Engine,
    archive: Archive,
    month_start: dt.date,
    scopes: list[OrganizationScope],
    result: ArchiveResult,
    droppable: bool,
) -> tuple[list[Piece], list[OrganizationFailure]]:
    """One month of several organizations, the whole protocol at once: steps 1-3, then step 4."""
    prepared = _prepare_month(engine, archive, month_start, scopes)
    return _commit_prepared_month(engine, archive, prepared, result, droppable, set())


def _each_on_its_own(
    engine: Engine, archive: Archive, organizations: list[str | None], start: dt.datetime, end: dt.datetime,
    result: ArchiveResult,
) -> tuple[list[Piece], list[OrganizationFailure]]:  # fmt: skip
    pieces, failures = run_per_organization(
        organizations,
        lambda organization_id: _archive_piece(engine, archive, organization_id, start, end, result),
        step=STEP,
        also_isolate=(ArchiveIntegrityError,),
    )
    return [piece for piece in pieces if piece is not None], failures


def _commit_month(
    engine: Engine, month_start: dt.date, verified: list[_Verified], run_key: str
) -> list[ChainStep] | None:
    """One transaction: every organization's manifest, then the month's partition detached and dropped
    when the database proves these files hold exactly its rows. None: rolled back (not provable, a
    manifest refused, or the table busy beyond the lock timeout); the caller commits per organization."""
    try:
        with engine.connect() as conn, conn.begin() as transaction:
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{DETACH_LOCK_TIMEOUT}'")
            steps = [
                _append_link(conn, item.manifest(month_start.year, month_start.month, run_key), ARCHIVE, None)
                for item in verified
            ]
            dropped = conn.execute(
                load_sql("audit", "drop_archived_month"), {"month": month_start, "run_key": run_key}
            ).scalar()
            if dropped != sum(item.written.row_count for item in verified):
                transaction.rollback()
                return None
            checkpoint("deleted")
    except DBAPIError as error:
        if not (is_data_error(error) or getattr(error.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE):
            raise
        return None
    return steps


def _commit_piece(
    engine: Engine,
    archive: Archive,
    item: _Verified,
    year: int,
    month: int,
    start: dt.datetime,
    end: dt.datetime,
    run_key: str,
) -> bool:
    """Step 4 for one organization: its manifest and the DELETE of its rows in [start, end), one
    transaction, committed only when the deleted rows' count and checksum equal the file's. False:
    rolled back and the published object deleted (its rows were never deleted): the rows changed since the export."""
    params = {**_org_params(item.organization_id), "start": start, "end": end}
    with engine.connect() as conn, conn.begin() as transaction:
        step = _append_link(conn, item.manifest(year, month, run_key), ARCHIVE, None)
        deleted = conn.execute(load_sql("audit", "delete_archived"), params).one()
        if (deleted.row_count, deleted.checksum) != (item.written.row_count, item.written.checksum):
            transaction.rollback()
            archive.store.delete(item.file.relative)
            return False
        checkpoint("deleted")
    advance_head(archive, item.organization_id, step)
    return True


def _archive_piece(
    engine: Engine,
    archive: Archive,
    organization_id: str | None,
    start: dt.datetime,
    end: dt.datetime,
    result: ArchiveResult,
    *,
    first_attempt: int = 1,
) -> Piece | None:
    """One organization's rows in [start, end) (a month cut by its cutoff, or the organization's turn
    when the month's shared export could not be used), with the whole protocol."""
    params = {**_org_params(organization_id), "start": start, "end": end}
    year, month = start.year, start.month
    for attempt in range(first_attempt, DELETE_ATTEMPTS + 1):
        file = _new_file(engine, archive, organization_id, year, month)

        # 1. export (and the database's own statistics of the same rows, in the same snapshot)
        clock = time.perf_counter()
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            database = RangeStats(*conn.execute(load_sql("audit", "range_stats"), params).one())
            if database.row_count == 0:
                file.staged.unlink(missing_ok=True)
                return None  # archived meanwhile (or everything before the cutoff already is)
            # the rows stream on an ADBC connection that imports this transaction's snapshot
            snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            select = inline_parameters(conn.connection.driver_connection, load_sql("audit", "export_rows"), params)
            exported = export_to_parquet(libpq_url(engine.url), snapshot, select, file.staged)
        result.export_seconds += time.perf_counter() - clock
        checkpoint("exported")

        # 2. verify the file against the database
        clock = time.perf_counter()
        written = file_stats(file.staged)
        if (written.row_count, written.checksum) != (database.row_count, database.checksum) or (
            exported.rows != database.row_count
        ):
            file.staged.unlink(missing_ok=True)
            raise ArchiveIntegrityError(
                f"{file.relative}: the written file holds {written.row_count} rows (checksum {written.checksum}), "
                f"the database {database.row_count} (checksum {database.checksum}); nothing was deleted"
            )
        result.verify_seconds += time.perf_counter() - clock
        checkpoint("verified")

        # 3. publish under the final key (create-only), read back, SHA-256 checked
        clock = time.perf_counter()
        item = _Verified(organization_id, file, written, _publish(archive, file), exported.masked_values)
        result.publish_seconds += time.perf_counter() - clock
        checkpoint("renamed")

        # 4. manifest and DELETE, one transaction
        clock = time.perf_counter()
        committed = _commit_piece(engine, archive, item, year, month, start, end, result.run_key)
        result.delete_seconds += time.perf_counter() - clock
        if not committed:
            continue  # rows were added to (or removed from) the range since the export: again
        checkpoint("committed")
        return item.piece(year, month, attempt)
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
