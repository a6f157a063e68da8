"""Manifests of archived files and their per-organization hash chain; statistics of a Parquet file."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from prometric_pipelines.audit.storage import organization_label

# DuckDB's twin of sql/audit/range_stats.sql: the same order-free id checksum over a file.
_FILE_STATS = """
    SELECT count(*),
           coalesce(sum(('0x' || left(md5(id), 15))::BIGINT), 0)::VARCHAR,
           min("createdAt"),
           max("createdAt")
    FROM read_parquet(?)
"""


@dataclass(frozen=True)
class RangeStats:
    """What identifies a set of audit rows: how many, which ids (checksum), their time span."""

    row_count: int
    checksum: str
    min_created_at: dt.datetime | None
    max_created_at: dt.datetime | None


def duckdb_connection() -> duckdb.DuckDBPyConnection:
    """A DuckDB session with bounded memory (the archive's files can be large)."""
    connection = duckdb.connect()
    connection.execute("SET threads = 2")
    connection.execute("SET memory_limit = '512MB'")
    return connection


def file_stats(path: Path) -> RangeStats:
    """Re-reads a Parquet file: row count, id checksum and time span (step 2 of the protocol)."""
    with duckdb_connection() as connection:
        count, checksum, first, last = connection.execute(_FILE_STATS, [str(path)]).fetchone()
    return RangeStats(int(count), str(checksum), first, last)


def _timestamp(value: dt.datetime) -> str:
    return value.isoformat(timespec="microseconds")


def manifest_hash(manifest: Mapping[str, Any]) -> str:
    """SHA-256 over every field of a manifest except `restoredAt` (which a restore sets later),
    including `prev_hash`: changing any archived fact, or any earlier link, changes every later hash."""
    fields = (
        organization_label(manifest["organization_id"]),
        f"{manifest['year']:04d}-{manifest['month']:02d}",
        manifest["path"],
        str(manifest["row_count"]),
        _timestamp(manifest["min_created_at"]),
        _timestamp(manifest["max_created_at"]),
        manifest["file_sha256"],
        manifest["content_checksum"],
        str(manifest["chain_position"]),
        manifest["prev_hash"] or "",
        _timestamp(manifest["archived_at"]),
        manifest["run_key"],
    )
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()
