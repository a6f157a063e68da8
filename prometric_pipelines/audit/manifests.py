"""Manifests of archived files and their per-organization hash chain; statistics of a Parquet file."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq

from prometric_pipelines.audit.storage import organization_label

ARCHIVE = "archive"  # a link that owns a file
RESTORE = "restore"  # a link that records the restore of an earlier archive link (rows live again)

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


def file_stats(path: Path, connection: duckdb.DuckDBPyConnection | None = None) -> RangeStats:
    """Re-reads a Parquet file: row count, id checksum and time span (step 2 of the protocol), on
    `connection` when given (one session for a month's files: opening one costs more than a small file)."""
    if connection is None:
        with duckdb_connection() as connection:
            return file_stats(path, connection)
    count, checksum, first, last = connection.execute(_FILE_STATS, [str(path)]).fetchone()
    return RangeStats(int(count), str(checksum), first, last)


def file_ids(path: Path) -> list[str]:
    """The ids of a Parquet file's rows (to prove them live before the file is removed)."""
    return pq.read_table(path, columns=["id"])["id"].to_pylist()


def active_links(links: Iterable[Any]) -> list[Any]:
    """The archive links whose file holds archived rows: not restored since (by a restore link, or by
    the `restoredAt` that restores set before restore links existed)."""
    restored = {link.restores_id for link in links if link.action == RESTORE}
    return [link for link in links if link.action == ARCHIVE and link.restored_at is None and link.id not in restored]


def _timestamp(value: dt.datetime) -> str:
    return value.isoformat(timespec="microseconds")


def manifest_hash(manifest: Mapping[str, Any]) -> str:
    """SHA-256 over every field of a manifest except the legacy `restoredAt`, including `prev_hash`:
    changing any archived fact, or any earlier link, changes every later hash. A restore link also
    hashes its action and the manifest it restores (archive links hash as they always did)."""
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
    if manifest.get("action", ARCHIVE) != ARCHIVE:
        fields += (manifest["action"], manifest["restores_id"])
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()
