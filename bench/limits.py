"""The machine's limit for a job, measured in the same run as the job (see README, "Benchmarks").

The limit is what this machine needs to read a job's inputs once and write its outputs once:

* a bare parallel sequential scan of the tables the job reads (warm cache, index paths off), and
* a binary COPY of exactly the rows the job wrote into scratch tables with the same columns,
  indexes, constraints and foreign keys as the tables it writes.

Every bench prints the job's time, this limit and their ratio (`report_row`).
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import Engine

_SCAN_SETTINGS = ("enable_indexscan", "enable_indexonlyscan", "enable_bitmapscan")


@dataclass(frozen=True)
class Output:
    """Rows a job wrote: the table and the WHERE clause (with bound parameters) that selects them."""

    table: str
    where: str = "true"
    params: dict | None = None


@dataclass(frozen=True)
class Limit:
    scan_seconds: float
    scan_rows: int
    copy_seconds: float
    copy_rows: int

    @property
    def seconds(self) -> float:
        return self.scan_seconds + self.copy_seconds

    def describe(self) -> str:
        return (
            f"scan {self.scan_rows:,} rows {self.scan_seconds:.2f} s + "
            f"COPY {self.copy_rows:,} rows {self.copy_seconds:.2f} s = {self.seconds:.2f} s"
        )


def bare_scan(
    engine: Engine, tables: Iterable[str], *, where: dict[str, str] | None = None, indexes: bool = False
) -> tuple[float, int]:
    """Seconds and rows of a warm parallel sequential scan (`count(*)`) of each table.

    `where` narrows a table's scan to the rows the job reads (e.g. one organization's month), written
    as SQL text over literal values the bench controls, never user input. `indexes=True` lets the
    planner find those rows through the indexes (for jobs that read a small slice of big tables, such
    as the dashboards: a sequential scan would be a limit above what the job itself needs)."""
    tables = list(tables)
    where = where or {}
    statements = [f"SELECT count(*) FROM {t} WHERE {where.get(t, 'true')}" for t in tables]
    with engine.connect() as conn:
        for setting in _SCAN_SETTINGS if not indexes else ():
            conn.execute(text(f"SET {setting} = off"))
        for statement in statements:  # warm the cache: the job reads from memory too
            conn.execute(text(statement))
        began = time.perf_counter()
        rows = sum(conn.execute(text(statement)).scalar_one() for statement in statements)
        return time.perf_counter() - began, rows


def _scratch_table(conn, table: str) -> str:
    """A table shaped like `table` (columns, defaults, indexes, checks and foreign keys), empty."""
    scratch = "bench_limit_" + table.strip('"').lower()
    conn.execute(text(f'DROP TABLE IF EXISTS "{scratch}"'))
    conn.execute(text(f'CREATE TABLE "{scratch}" (LIKE {table} INCLUDING ALL)'))
    foreign_keys = conn.execute(
        text(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = CAST(:t AS regclass) AND contype = 'f'"
        ),
        {"t": table},
    ).scalars()
    for number, definition in enumerate(foreign_keys):
        conn.execute(text(f'ALTER TABLE "{scratch}" ADD CONSTRAINT "{scratch}_fk{number}" {definition}'))
    return scratch


def binary_copy(engine: Engine, outputs: Sequence[Output]) -> tuple[float, int]:
    """Seconds and rows to COPY (binary) the job's output rows into same-indexed scratch tables.

    The rows are exported first (not timed); only the COPY in is timed, inside one transaction that
    is rolled back, so nothing is left behind."""
    exported: list[tuple[str, bytes, int]] = []
    raw = engine.raw_connection()
    try:
        # a client-side cursor: the WHERE's bound parameters must be inlined into COPY (...) TO
        with psycopg.ClientCursor(raw.driver_connection) as cursor:
            for output in outputs:
                buffer = io.BytesIO()
                query = cursor.mogrify(f"SELECT * FROM {output.table} WHERE {output.where}", output.params or {})
                with cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT binary)") as copy:
                    for chunk in copy:
                        buffer.write(chunk)
                count = cursor.execute(f"SELECT count(*) FROM {output.table} WHERE {output.where}", output.params or {})
                exported.append((output.table, buffer.getvalue(), count.fetchone()[0]))
        raw.rollback()
        with engine.connect() as conn:
            scratches = [_scratch_table(conn, table) for table, _, _ in exported]
            conn.commit()
        try:
            with raw.cursor() as cursor:
                began = time.perf_counter()
                for scratch, (_, data, _) in zip(scratches, exported, strict=True):
                    with cursor.copy(f'COPY "{scratch}" FROM STDIN (FORMAT binary)') as copy:
                        copy.write(data)
                raw.commit()
                seconds = time.perf_counter() - began
        finally:
            with engine.begin() as conn:
                for scratch in scratches:
                    conn.execute(text(f'DROP TABLE IF EXISTS "{scratch}"'))
    finally:
        raw.close()
    return seconds, sum(rows for _, _, rows in exported)


def measure(
    engine: Engine,
    reads: Iterable[str],
    writes: Sequence[Output],
    *,
    where: dict[str, str] | None = None,
    indexes: bool = False,
) -> Limit:
    """The limit of a job that read `reads` and wrote `writes` (call it after the job has run)."""
    scan_seconds, scan_rows = bare_scan(engine, reads, where=where, indexes=indexes)
    copy_seconds, copy_rows = binary_copy(engine, writes) if writes else (0.0, 0)
    return Limit(scan_seconds, scan_rows, copy_seconds, copy_rows)


def load_average() -> str:
    """The machine's 1/5/15-minute load, printed with every figure (the machine is shared)."""
    with open("/proc/loadavg") as file:
        return " ".join(file.read().split()[:3])


def report_row(job: str, seconds: float, limit: Limit, target: str) -> str:
    """One markdown row: job, its time, the limit (with its parts), the ratio and the target."""
    return f"| {job} | {seconds:.2f} s | {limit.describe()} | {seconds / limit.seconds:.2f}× | {target} |"


REPORT_HEADER = "| job | time | limit (scan + COPY) | ratio | target |\n|---|---:|---|---:|---|"
