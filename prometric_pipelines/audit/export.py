"""Streaming audit-log rows out of PostgreSQL into a zstd Parquet file, in bounded memory.

ADBC (`adbc-driver-postgresql`) runs the query as a binary `COPY … TO STDOUT` and decodes it in C
into Arrow record batches of about `BATCH_BYTES`; each batch is masked and appended to a
`ParquetWriter` as a row group. No per-row Python, and memory stays at a batch or two whatever the
month's size.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import adbc_driver_postgresql.dbapi as adbc
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import TextClause
from sqlalchemy.dialects import postgresql

from prometric_pipelines.security.masking import MAX_DEPTH, SECRET_KEY_PARTS, SECRET_KEY_WORDS, mask_json_text

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

BATCH_BYTES = 32 << 20  # ~100k audit rows: one Parquet row group
ZSTD_LEVEL = 3

# A cheap pre-filter run on whole columns in C++: only values that might hold a secret (a key naming
# one, a password hash, a JWT, a URL with a password, an Authorization header, a query parameter) or
# that nest deeper than masking walks go through the exact Python `mask_json_text`. A superset of
# what mask_json_text masks for keys written with at most one separator inside a word.
_KEY_PATTERN = "|".join(
    re.escape(part).replace("key", ".?key").replace("id", ".?id").replace("code", ".?code")
    for part in (*SECRET_KEY_PARTS, *SECRET_KEY_WORDS)
)
_SECRET_CANDIDATE = (
    rf'"[^"]*({_KEY_PATTERN}|pass|pwd)[^"]*"\s*:'
    r"|\$2[abxy]?\$|\$argon2|pbkdf2_sha|eyJ|://[^/@\s\"]*:[^@\s\"]*@|authorization|bearer\s|basic\s"
    r"|[?&;][^=&\s\"]+="
)
_BRACKET = r"[\[{]"


@dataclass(frozen=True)
class ExportedFile:
    rows: int
    masked_values: int


def inline_parameters(connection: psycopg.Connection, query: TextClause, params: dict[str, Any]) -> str:
    """`query` with its parameters inlined as quoted literals (ADBC streams a query by binary COPY
    only when it has no bind parameters); psycopg's client-side quoting does the inlining."""
    compiled = query.compile(dialect=postgresql.psycopg.dialect())
    return psycopg.ClientCursor(connection).mogrify(str(compiled), params).strip().removesuffix(";")


def mask_json_column(column: pa.ChunkedArray) -> tuple[pa.ChunkedArray, int]:
    """The column with secrets masked, and how many values changed."""
    candidates = pc.or_(
        pc.fill_null(pc.match_substring_regex(column, _SECRET_CANDIDATE, ignore_case=True), False),
        pc.fill_null(pc.greater(pc.count_substring_regex(column, _BRACKET), MAX_DEPTH), False),
    )
    if not pc.any(candidates).as_py():
        return column, 0
    # only the candidates reach Python (converting the whole column cost more than the masking itself)
    replacements = []
    changed = 0
    for text in pc.filter(column, candidates).to_pylist():
        masked = mask_json_text(text)
        if masked is not text:  # untouched JSON keeps PostgreSQL's exact text
            changed += 1
        replacements.append(masked)
    if not changed:
        return column, 0
    replaced = pc.replace_with_mask(
        column.combine_chunks(), candidates.combine_chunks(), pa.array(replacements, pa.string())
    )
    return pa.chunked_array([replaced]), changed


def _mask(table: pa.Table) -> tuple[pa.Table, int]:
    total = 0
    for name in JSON_COLUMNS:
        masked, changed = mask_json_column(table[name])
        if changed:
            table = table.set_column(table.schema.get_field_index(name), name, masked)
            total += changed
    return table, total


def export_to_parquet(
    url: str,
    snapshot: str,
    select: str,
    target: Path,
    *,
    batch_bytes: int = BATCH_BYTES,
) -> ExportedFile:
    """Writes the rows of `select` (COLUMNS in order, uuids and JSON cast to text) to `target`, fsynced.

    Reads on an ADBC connection of its own that imports `snapshot` (`pg_export_snapshot()` of the
    caller's REPEATABLE READ transaction), so it sees exactly the rows the caller counted.
    """
    rows = masked = 0
    with adbc.connect(url, autocommit=True) as connection, connection.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
        cursor.adbc_statement.set_options(**{"adbc.postgresql.batch_size_hint_bytes": str(batch_bytes)})
        cursor.execute(select)
        reader = cursor.fetch_record_batch()
        with target.open("wb") as sink:
            with pq.ParquetWriter(sink, SCHEMA, compression="zstd", compression_level=ZSTD_LEVEL) as writer:
                for batch in reader:
                    # same columns, without ADBC's per-field PostgreSQL type metadata
                    table = pa.Table.from_batches([pa.RecordBatch.from_arrays(batch.columns, schema=SCHEMA)])
                    table, changed = _mask(table)
                    writer.write_table(table)
                    rows += table.num_rows
                    masked += changed
            sink.flush()
            os.fsync(sink.fileno())
        cursor.execute("COMMIT")
    return ExportedFile(rows=rows, masked_values=masked)
