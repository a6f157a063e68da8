"""Streaming audit-log rows out of PostgreSQL into a zstd Parquet file, in bounded memory.

`COPY (SELECT …) TO STDOUT (FORMAT csv)` is read by a thread in blocks of whole rows (the server
sends one message per row); the main thread parses each block with pyarrow's C++ CSV reader, masks
secrets and appends it to a `ParquetWriter` as a row group. At most `QUEUE_BLOCKS` blocks wait
between the two threads, so memory stays at a few blocks whatever the month's size.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from sqlalchemy import TextClause
from sqlalchemy.dialects import postgresql

from prometric_pipelines.security.masking import SECRET_KEY_PARTS, SECRET_KEY_WORDS, mask_secrets

# The archived columns: every column of audit_logs, uuids as text, JSONB as its JSON text.
SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("organizationId", pa.string()),
        ("userId", pa.string()),
        ("action", pa.string()),
        ("entity", pa.string()),
        ("entityId", pa.string()),
        ("oldValue", pa.string()),
        ("newValue", pa.string()),
        ("ipAddress", pa.string()),
        ("userAgent", pa.string()),
        ("createdAt", pa.timestamp("us")),
    ]
)
COLUMNS = tuple(SCHEMA.names)
JSON_COLUMNS = ("oldValue", "newValue")

BLOCK_BYTES = 32 << 20  # ~100k audit rows: one Parquet row group
QUEUE_BLOCKS = 2

# A cheap pre-filter run on whole columns in C++: only values that might hold a secret (a key naming
# one, a bcrypt hash, a URL with a password) go through the exact Python `mask_secrets`. A superset
# of what mask_secrets masks for keys written with at most one separator inside a word.
_KEY_PATTERN = "|".join(
    re.escape(part).replace("key", ".?key").replace("id", ".?id").replace("code", ".?code")
    for part in (*SECRET_KEY_PARTS, *SECRET_KEY_WORDS)
)
_SECRET_CANDIDATE = rf'"[^"]*({_KEY_PATTERN}|pass|pwd)[^"]*"\s*:|\$2[aby]\$|://[^/@\s"]*:[^@\s"]*@'

_CSV_READ = pacsv.ReadOptions(column_names=list(COLUMNS), use_threads=True)
_CSV_PARSE = pacsv.ParseOptions(newlines_in_values=True)
_CSV_CONVERT = pacsv.ConvertOptions(
    column_types=SCHEMA, strings_can_be_null=True, quoted_strings_can_be_null=False, null_values=[""]
)


@dataclass(frozen=True)
class ExportedFile:
    rows: int
    masked_values: int


def copy_statement(connection: psycopg.Connection, query: TextClause, params: dict[str, Any]) -> bytes:
    """`COPY (<query>) TO STDOUT (FORMAT csv)` with the parameters inlined as quoted literals
    (COPY takes no bind parameters); psycopg's client-side quoting does the inlining."""
    compiled = query.compile(dialect=postgresql.psycopg.dialect())
    select = psycopg.ClientCursor(connection).mogrify(str(compiled), params).strip().removesuffix(";")
    return f"COPY ({select}\n) TO STDOUT (FORMAT csv)".encode()


def mask_json_column(column: pa.ChunkedArray) -> tuple[pa.ChunkedArray, int]:
    """The column with secrets masked, and how many values changed."""
    candidates = pc.match_substring_regex(column, _SECRET_CANDIDATE, ignore_case=True)
    if not pc.any(candidates).as_py():
        return column, 0
    values = column.to_pylist()
    changed = 0
    for index in pc.indices_nonzero(pc.fill_null(candidates, False)).to_pylist():
        original = json.loads(values[index])
        masked = mask_secrets(original)
        if masked != original:  # untouched JSON keeps PostgreSQL's exact text
            values[index] = json.dumps(masked, ensure_ascii=False)
            changed += 1
    return pa.chunked_array([pa.array(values, pa.string())]), changed


def _mask(table: pa.Table) -> tuple[pa.Table, int]:
    total = 0
    for name in JSON_COLUMNS:
        masked, changed = mask_json_column(table[name])
        if changed:
            table = table.set_column(table.schema.get_field_index(name), name, masked)
            total += changed
    return table, total


def _read_blocks(cursor: psycopg.Cursor, statement: bytes, blocks: queue.Queue, block_bytes: int) -> None:
    """Producer thread: COPY rows joined into blocks of about `block_bytes`; None ends, an exception aborts."""
    try:
        with cursor.copy(statement) as copy:
            parts: list[bytes] = []
            size = 0
            for data in copy:
                parts.append(bytes(data))
                size += len(data)
                if size >= block_bytes:
                    blocks.put(b"".join(parts))
                    parts, size = [], 0
            if parts:
                blocks.put(b"".join(parts))
        blocks.put(None)
    except BaseException as error:  # handed to the consumer, which re-raises it
        blocks.put(error)


def export_to_parquet(
    connection: psycopg.Connection,
    query: TextClause,
    params: dict[str, Any],
    target: Path,
    *,
    block_bytes: int = BLOCK_BYTES,
) -> ExportedFile:
    """Writes the rows of `query` (selecting COLUMNS in order) to `target` and fsyncs it.

    Runs in the connection's current transaction (the caller's snapshot).
    """
    statement = copy_statement(connection, query, params)
    blocks: queue.Queue = queue.Queue(maxsize=QUEUE_BLOCKS)
    reader = threading.Thread(
        target=_read_blocks, args=(connection.cursor(), statement, blocks, block_bytes), daemon=True
    )
    reader.start()
    rows = masked = 0
    try:
        with target.open("wb") as sink:
            with pq.ParquetWriter(sink, SCHEMA, compression="zstd", compression_level=3) as writer:
                while (block := blocks.get()) is not None:
                    if isinstance(block, BaseException):
                        raise block
                    table = pacsv.read_csv(
                        pa.py_buffer(block),
                        read_options=_CSV_READ,
                        parse_options=_CSV_PARSE,
                        convert_options=_CSV_CONVERT,
                    )
                    table, changed = _mask(table)
                    writer.write_table(table)
                    rows += table.num_rows
                    masked += changed
            sink.flush()
            os.fsync(sink.fileno())
    finally:
        # on an error the producer may be blocked on a full queue: drain it so it can end
        while reader.is_alive():
            with contextlib.suppress(queue.Empty):
                blocks.get(timeout=0.1)
        reader.join()
    return ExportedFile(rows=rows, masked_values=masked)
