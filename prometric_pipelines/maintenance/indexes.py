"""REINDEX INDEX CONCURRENTLY of B-tree indexes whose estimated bloat passes a threshold (monthly).

The estimate (sql/maintenance/index_bloat.sql) compares an index's pages with the pages its rows
would fill; it reads statistics only, so it costs milliseconds whatever the size of the indexes.
Indexes are rebuilt one at a time: CONCURRENTLY keeps reads and writes of the table going (it takes
SHARE UPDATE EXCLUSIVE, not the ACCESS EXCLUSIVE lock of a plain REINDEX), at the price of two scans
of the table. A rebuild that fails leaves an invalid copy (`<name>_ccnew`): it is dropped at once,
and the old index, still valid, keeps serving.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine, RowMapping
from sqlalchemy.exc import DBAPIError

from prometric_pipelines.errors import PrometricError
from prometric_pipelines.maintenance.sessions import autocommit, is_lock_timeout, require_maintain_privilege
from prometric_pipelines.sql import load_sql

DEFAULT_BLOAT_RATIO = 0.30  # a third of the pages are empty space
DEFAULT_MIN_BLOAT_BYTES = 10 * 1024 * 1024  # small indexes are cheap to scan anyway
DEFAULT_LOCK_TIMEOUT_SECONDS = 60.0

Progress = Callable[[str], None]


def index_bloat(conn: Connection) -> list[RowMapping]:
    """Every valid B-tree index of the schema with its size and estimated bloat, most bloat first."""
    return list(conn.execute(load_sql("maintenance", "index_bloat")).mappings())


def index_state(conn: Connection, qualified_name: str) -> RowMapping | None:
    return conn.execute(load_sql("maintenance", "index_state"), {"qualified_name": qualified_name}).mappings().first()


@dataclass(frozen=True)
class RebuiltIndex:
    index: str
    table: str
    estimated_bloat_ratio: float
    estimated_bloat_bytes: int
    bytes_before: int
    bytes_after: int
    seconds: float


@dataclass
class ReindexResult:
    rebuilt: list[RebuiltIndex] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # index → one-line reason
    leftovers_dropped: list[str] = field(default_factory=list)  # invalid copies of failed rebuilds
    leftovers_pending: list[str] = field(default_factory=list)  # still locked: the next run drops them
    below_threshold: int = 0
    seconds: float = 0.0

    @property
    def bytes_freed(self) -> int:
        return sum(i.bytes_before - i.bytes_after for i in self.rebuilt)


def reindex_bloated_indexes(
    engine: Engine,
    *,
    bloat_ratio: float = DEFAULT_BLOAT_RATIO,
    min_bloat_bytes: int = DEFAULT_MIN_BLOAT_BYTES,
    tables: list[str] | None = None,
    max_indexes: int | None = None,
    lock_timeout_seconds: float = DEFAULT_LOCK_TIMEOUT_SECONDS,
    progress: Progress = lambda _: None,
) -> ReindexResult:
    """Rebuilds, one at a time and concurrently, the indexes whose estimated bloat passes both thresholds.

    A failed rebuild (lock timeout, deadlock, disk full) is recorded and its leftover dropped; the
    others still run. The caller decides whether failures fail the run (the asset does)."""
    result = ReindexResult()
    started = time.perf_counter()
    with autocommit(engine, lock_timeout_seconds=lock_timeout_seconds) as conn:
        require_maintain_privilege(conn)
        _drop_leftovers(conn, None, result)  # of an earlier run that crashed or could not drop them
        estimates = [row for row in index_bloat(conn) if tables is None or row["table_name"] in tables]
        bloated = [
            row for row in estimates if row["bloat_ratio"] >= bloat_ratio and row["bloat_bytes"] >= min_bloat_bytes
        ]
        if max_indexes is not None:
            bloated = bloated[:max_indexes]
        result.below_threshold = len(estimates) - len(bloated)
        for row in bloated:
            name = row["index_name"]
            before = index_state(conn, row["qualified_name"])
            began = time.perf_counter()
            try:
                # the name comes from format('%I.%I', …) in the catalog query: quoted by PostgreSQL itself
                conn.execute(text(f"REINDEX INDEX CONCURRENTLY {row['qualified_name']}"))
            except DBAPIError as error:
                reason = "lock not granted in time" if is_lock_timeout(error) else _first_line(error)
                result.failed[name] = reason
                _drop_leftovers(conn, name, result)
                progress(f"rebuild of {name} failed ({reason}); the old index keeps serving")
                continue
            after = index_state(conn, row["qualified_name"])
            result.rebuilt.append(
                RebuiltIndex(
                    index=name,
                    table=row["table_name"],
                    estimated_bloat_ratio=float(row["bloat_ratio"]),
                    estimated_bloat_bytes=int(row["bloat_bytes"]),
                    bytes_before=int(before["index_bytes"]) if before else int(row["index_bytes"]),
                    bytes_after=int(after["index_bytes"]) if after else 0,
                    seconds=time.perf_counter() - began,
                )
            )
            progress(
                f"rebuilt {name} on {row['table_name']}: {row['index_bytes'] / 2**20:,.1f} MB -> "
                f"{(after['index_bytes'] if after else 0) / 2**20:,.1f} MB"
            )
    result.seconds = time.perf_counter() - started
    return result


def _drop_leftovers(conn: Connection, index_name: str | None, result: ReindexResult) -> None:
    """Drops the invalid copies failed rebuilds left (of one index, or of all when None). DROP INDEX
    CONCURRENTLY waits for the same transactions the rebuild waited for: if they still run, the copy
    stays (invalid, so unused by queries, but maintained on writes) and the next run drops it."""
    leftovers = conn.execute(load_sql("maintenance", "reindex_leftovers"), {"index_name": index_name}).scalars()
    for leftover in list(leftovers):
        try:
            # DROP INDEX needs the table's owner: the maintenance login asks the definer function, which
            # drops only invalid copies (docs/security.md, "Logins")
            conn.execute(load_sql("maintenance", "drop_invalid_index"), {"qualified_name": leftover})
        except DBAPIError as error:
            if not is_lock_timeout(error):
                raise
            result.leftovers_pending.append(leftover)
            continue
        result.leftovers_dropped.append(leftover)


def _first_line(error: DBAPIError) -> str:
    return str(error.orig if error.orig is not None else error).strip().splitlines()[0]


def raise_for_failures(result: ReindexResult) -> None:
    if result.failed:
        listed = "; ".join(f"{name}: {reason}" for name, reason in sorted(result.failed.items()))
        pending = (
            f"; invalid copies left until the next run: {', '.join(result.leftovers_pending)}"
            if result.leftovers_pending
            else ""
        )
        raise PrometricError(
            f"{len(result.failed)} index rebuild(s) failed ({listed}); the old indexes keep serving{pending}"
        )
