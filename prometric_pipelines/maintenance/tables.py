"""ANALYZE of changed tables (daily) and VACUUM of tables with many dead tuples (weekly).

Which tables: `pg_stat_user_tables` of the operational schema (sql/maintenance/table_activity.sql).
Each command runs on its own, in autocommit (VACUUM cannot run in a transaction), table by table,
so a lock wait or an error touches one table only.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine, RowMapping
from sqlalchemy.exc import DBAPIError

from prometric_pipelines.maintenance.sessions import autocommit, is_lock_timeout, require_maintain_privilege
from prometric_pipelines.sql import load_sql
from prometric_pipelines.validation import InvalidInput

DEFAULT_DEAD_RATIO = 0.10  # dead tuples / (live + dead): autovacuum's own default scale factor is 0.2
DEFAULT_MIN_DEAD_TUPLES = 1_000  # below this a table is too small to be worth a pass
DEFAULT_LOCK_TIMEOUT_SECONDS = 30.0

Progress = Callable[[str], None]


def table_activity(conn: Connection, relid: int | None = None) -> list[RowMapping]:
    """The schema's tables (or one, by oid) with their change counters, dead tuples and sizes."""
    return list(conn.execute(load_sql("maintenance", "table_activity"), {"relid": relid}).mappings())


def check_table_names(engine: Engine, names: Iterable[str] | None) -> list[str] | None:
    """Validates operator-given table names against the schema; None means every table."""
    if names is None:
        return None
    wanted = [name.strip() for name in names if name.strip()]
    if not wanted:
        return None
    with engine.connect() as conn:
        known = {row["table_name"] for row in table_activity(conn)}
    unknown = sorted(set(wanted) - known)
    if unknown:
        raise InvalidInput(f"no such table in the operational schema: {', '.join(unknown)}")
    return sorted(set(wanted))


# ---- ANALYZE --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnalyzedTable:
    table: str
    modifications: int  # rows inserted, updated or deleted since the table's previous ANALYZE
    last_analyze_before: dt.datetime | None
    last_analyze_after: dt.datetime | None
    seconds: float


@dataclass
class StatisticsResult:
    analyzed: list[AnalyzedTable] = field(default_factory=list)
    unchanged: int = 0  # tables with no change since their last ANALYZE: left alone
    seconds: float = 0.0


def analyze_changed_tables(
    engine: Engine,
    *,
    tables: list[str] | None = None,
    min_modifications: int = 1,
    lock_timeout_seconds: float = DEFAULT_LOCK_TIMEOUT_SECONDS,
    progress: Progress = lambda _: None,
) -> StatisticsResult:
    """ANALYZE every table changed since its last ANALYZE (its own or autovacuum's), most changed first."""
    result = StatisticsResult()
    started = time.perf_counter()
    with autocommit(engine, lock_timeout_seconds=lock_timeout_seconds) as conn:
        require_maintain_privilege(conn)
        candidates = [row for row in table_activity(conn) if tables is None or row["table_name"] in tables]
        changed = sorted(
            (row for row in candidates if row["modifications"] >= min_modifications),
            key=lambda row: (-row["modifications"], row["table_name"]),
        )
        result.unchanged = len(candidates) - len(changed)
        for row in changed:
            began = time.perf_counter()
            # the name comes from format('%I.%I', …) in the catalog query: quoted by PostgreSQL itself
            conn.execute(text(f"ANALYZE {row['qualified_name']}"))
            after = table_activity(conn, row["relid"])
            result.analyzed.append(
                AnalyzedTable(
                    table=row["table_name"],
                    modifications=int(row["modifications"]),
                    last_analyze_before=row["last_analyze"],
                    last_analyze_after=after[0]["last_analyze"] if after else None,
                    seconds=time.perf_counter() - began,
                )
            )
            progress(f"analyzed {row['table_name']} ({row['modifications']:,} changed rows)")
    result.seconds = time.perf_counter() - started
    return result


# ---- VACUUM ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VacuumedTable:
    table: str
    dead_ratio_before: float
    dead_tuples_before: int
    dead_tuples_after: int
    table_bytes_before: int
    table_bytes_after: int
    total_bytes_before: int
    total_bytes_after: int
    seconds: float


@dataclass
class VacuumResult:
    full: bool
    vacuumed: list[VacuumedTable] = field(default_factory=list)
    skipped_locked: list[str] = field(default_factory=list)  # lock not granted within the timeout
    below_threshold: int = 0
    seconds: float = 0.0

    @property
    def dead_tuples_removed(self) -> int:
        return sum(t.dead_tuples_before - t.dead_tuples_after for t in self.vacuumed)

    @property
    def bytes_freed(self) -> int:
        return sum(t.total_bytes_before - t.total_bytes_after for t in self.vacuumed)


def vacuum_bloated_tables(
    engine: Engine,
    *,
    dead_ratio: float = DEFAULT_DEAD_RATIO,
    min_dead_tuples: int = DEFAULT_MIN_DEAD_TUPLES,
    tables: list[str] | None = None,
    full: bool = False,
    lock_timeout_seconds: float = DEFAULT_LOCK_TIMEOUT_SECONDS,
    progress: Progress = lambda _: None,
) -> VacuumResult:
    """VACUUM (ANALYZE) each table whose dead tuples pass both thresholds, most dead tuples first.

    `full=True` (an operator's explicit choice) runs VACUUM FULL instead: it rewrites the table and
    gives the space back to the operating system, but holds an ACCESS EXCLUSIVE lock meanwhile
    (readers wait too). Never chosen by the job on its own."""
    result = VacuumResult(full=full)
    started = time.perf_counter()
    command = "VACUUM (FULL, ANALYZE)" if full else "VACUUM (ANALYZE)"
    with autocommit(engine, lock_timeout_seconds=lock_timeout_seconds) as conn:
        require_maintain_privilege(conn)
        candidates = [row for row in table_activity(conn) if tables is None or row["table_name"] in tables]
        bloated = sorted(
            (row for row in candidates if row["dead_tuples"] >= min_dead_tuples and row["dead_ratio"] >= dead_ratio),
            key=lambda row: (-row["dead_tuples"], row["table_name"]),
        )
        result.below_threshold = len(candidates) - len(bloated)
        for row in bloated:
            began = time.perf_counter()
            try:
                conn.execute(text(f"{command} {row['qualified_name']}"))  # name quoted by format('%I.%I')
            except DBAPIError as error:
                if not is_lock_timeout(error):
                    raise
                result.skipped_locked.append(row["table_name"])
                progress(f"skipped {row['table_name']}: its lock was not granted within {lock_timeout_seconds:g} s")
                continue
            after = table_activity(conn, row["relid"])[0]
            result.vacuumed.append(
                VacuumedTable(
                    table=row["table_name"],
                    dead_ratio_before=float(row["dead_ratio"]),
                    dead_tuples_before=int(row["dead_tuples"]),
                    dead_tuples_after=int(after["dead_tuples"]),
                    table_bytes_before=int(row["table_bytes"]),
                    table_bytes_after=int(after["table_bytes"]),
                    total_bytes_before=int(row["total_bytes"]),
                    total_bytes_after=int(after["total_bytes"]),
                    seconds=time.perf_counter() - began,
                )
            )
            progress(
                f"{command.lower()} {row['table_name']}: dead tuples {row['dead_tuples']:,} -> {after['dead_tuples']:,}"
            )
    result.seconds = time.perf_counter() - started
    return result
