"""Streaming COPY of generated columns into PostgreSQL.

Columns arrive as numpy arrays or Python lists; pyarrow formats them as CSV in C++ (no per-row
Python), and psycopg streams the bytes with `COPY … FROM STDIN (FORMAT csv)`.
"""

from __future__ import annotations

import io
import queue
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv

from prometric_pipelines.db.schema import metadata
from prometric_pipelines.generate import binary
from prometric_pipelines.sql import load_sql

Columns = Mapping[str, Any]
# Columns whose server default is not a constant: a generated row must always say them
# explicitly, or two runs would differ (ids, CURRENT_TIMESTAMP).
_VOLATILE_DEFAULTS = ("gen_random_uuid", "CURRENT_TIMESTAMP")
_WRITE_OPTIONS = pacsv.WriteOptions(include_header=False, batch_size=65_536, quoting_style="needed")


def writable_columns(table: str) -> list[str]:
    return [c.name for c in metadata.tables[table].columns if c.computed is None]


def required_columns(table: str) -> set[str]:
    required = set()
    for column in metadata.tables[table].columns:
        default = getattr(column.server_default, "arg", None)
        if column.computed is None and (
            (not column.nullable and default is None) or any(v in str(default) for v in _VOLATILE_DEFAULTS)
        ):
            required.add(column.name)
    return required


def _fixed_text(values: np.ndarray) -> pa.Array:
    """numpy `S<n>` of full-width ASCII (ids) → Arrow strings without a per-element copy."""
    width, count = values.dtype.itemsize, values.size
    offsets = np.arange(0, width * count + 1, width, dtype=np.int32 if width * count < 2**31 else np.int64)
    data = np.ascontiguousarray(values).view(np.uint8)
    kind = pa.string() if offsets.dtype == np.int32 else pa.large_string()
    return pa.Array.from_buffers(kind, count, [None, pa.py_buffer(offsets), pa.py_buffer(data)])


def to_arrow(values: Any) -> pa.Array:
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values
    if isinstance(values, np.ndarray):
        if values.dtype.kind == "S":
            return _fixed_text(values)
        if values.dtype.kind == "M":
            unit = "D" if values.dtype == np.dtype("datetime64[D]") else "us"
            values = values.astype(f"datetime64[{unit}]")
            mask = np.isnat(values)
            return pa.array(values, mask=mask if mask.any() else None)
        if values.dtype.kind == "f":
            mask = np.isnan(values)
            return pa.array(values, mask=mask if mask.any() else None)
        array = pa.array(values)
    else:
        array = pa.array(values)
    # uuids mixed with NULLs arrive as bytes objects
    return array.cast(pa.string()) if pa.types.is_binary(array.type) else array


class TableLoader:
    """Writes column batches of generated rows to tables with COPY, counting rows per table.

    Formatting happens in the caller's thread and COPY in a background thread, so generating the
    next batch overlaps PostgreSQL ingesting the previous one (two cores). The queue is short:
    memory stays bounded by a few formatted batches.
    """

    def __init__(
        self, conn: psycopg.Connection, *, freeze: bool = False, binary: bool = True, queue_size: int = 4
    ) -> None:
        self.conn = conn
        self.rows: dict[str, int] = {}
        self.copy_seconds: dict[str, float] = {}  # time PostgreSQL spent ingesting each table
        # FREEZE (tables truncated in this transaction) writes rows already frozen: no hint-bit
        # and anti-wraparound rewrites of the whole data set afterwards
        self._freeze = ", FREEZE" if freeze else ""
        # COPY cannot FREEZE into a partitioned table (audit_logs, by month): those load without it
        self._partitioned = (
            {row[0] for row in conn.execute(load_sql("generate", "partitioned_tables").text)} if freeze else set()
        )
        self.binary = binary  # binary COPY: PostgreSQL skips parsing text (see generate/binary.py)
        self._queue: queue.Queue[tuple[str, str, list] | None] = queue.Queue(maxsize=queue_size)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._copy_loop, name="copy", daemon=True)
        self._thread.start()

    def _copy_loop(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is not None:
                continue  # drain: the caller raises at its next write or at close()
            table, statement, payload = item
            started = time.perf_counter()
            try:
                with self.conn.cursor().copy(statement) as copy:
                    for part in payload:
                        view = memoryview(part)
                        for start in range(0, len(view), 1 << 20):
                            copy.write(view[start : start + (1 << 20)])
            except BaseException as error:  # handed over to the caller's thread
                self._error = error
            self.copy_seconds[table] = self.copy_seconds.get(table, 0.0) + time.perf_counter() - started

    def _raise_pending(self) -> None:
        if self._error is not None:
            raise self._error

    def abort(self) -> None:
        """Stops the COPY thread after what is queued, ignoring its errors (the caller is failing)."""
        self._error = self._error or RuntimeError("aborted")  # skip what is still queued
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    def close(self) -> None:
        """Waits until everything queued is in the database; raises the COPY's error if one failed."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        self._raise_pending()

    def write(self, table: str, columns: Columns) -> int:
        known = writable_columns(table)
        unknown = set(columns) - set(known)
        missing = required_columns(table) - set(columns)
        if unknown or missing:
            raise ValueError(f"{table}: unknown columns {sorted(unknown)}, missing {sorted(missing)}")
        names = [name for name in known if name in columns and columns[name] is not None]
        arrays = [to_arrow(columns[name]) for name in names]
        lengths = {len(array) for array in arrays}
        if len(lengths) != 1:
            raise ValueError(f"{table}: columns of different lengths {sorted(lengths)}")
        count = lengths.pop()
        if count == 0:
            return 0
        payload = binary.encode(table, names, arrays) if self.binary else None
        options = "FORMAT binary"
        if payload is None:  # a column type the binary encoder does not cover (arrays): CSV
            buffer = io.BytesIO()
            pacsv.write_csv(pa.Table.from_arrays(arrays, names=names), buffer, _WRITE_OPTIONS)
            payload, options = [buffer.getvalue()], "FORMAT csv"
        if table not in self._partitioned:
            options += self._freeze
        column_list = ", ".join(f'"{name}"' for name in names)
        self._raise_pending()
        self._queue.put((table, f'COPY "{table}" ({column_list}) FROM STDIN ({options})', payload))
        self.rows[table] = self.rows.get(table, 0) + count
        return count


def pg_array(items: Sequence[Sequence[str]] | Sequence[None]) -> list[str | None]:
    """PostgreSQL array literals (`{"a","b"}`) for TEXT[]/UUID[]/JSONB[] columns; None stays NULL."""
    out: list[str | None] = []
    for item in items:
        if item is None:
            out.append(None)
            continue
        quoted = ('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in item)
        out.append("{" + ",".join(quoted) + "}")
    return out
