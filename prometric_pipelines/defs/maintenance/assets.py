"""Database maintenance as Dagster assets (group `maintenance`): statistics, vacuum, reindex, backups
with their weekly restore check, and the hourly health snapshot. Thin layer over
prometric_pipelines/maintenance/; every asset is in the `postgres` pool, one command at a time."""

import dagster as dg
from pydantic import Field

from prometric_pipelines.defs.resources import PostgresResource
from prometric_pipelines.errors import PrometricError
from prometric_pipelines.maintenance import backup, health, indexes
from prometric_pipelines.maintenance import tables as table_upkeep
from prometric_pipelines.validation import check_run_config

GROUP = "maintenance"
RESTORE_CHECK = "backup_restore_check"
MIB = 1024 * 1024


def _md_table(header: list[str], rows: list[list[object]]) -> dg.MetadataValue:
    """A small markdown table for the run's metadata (what the UI shows under the materialization)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return dg.MetadataValue.md("\n".join(lines) if rows else "(none)")


def _mib(value: int) -> str:
    return f"{value / MIB:,.2f} MiB"


def _table_names(maintenance_postgres: PostgresResource, names: list[str]) -> list[str] | None:
    return check_run_config(table_upkeep.check_table_names, maintenance_postgres.get_engine(), names)


# ---- ANALYZE, daily ---------------------------------------------------------------------------


class TableStatisticsConfig(dg.Config):
    tables: list[str] = Field(default_factory=list, description="Only these tables; empty means every table.")
    min_modifications: int = Field(
        default=1, ge=1, description="Rows changed since the table's last ANALYZE for it to be analysed again."
    )


@dg.asset(
    name="table_statistics",
    group_name=GROUP,
    kinds={"postgres"},
    pool="postgres",
    description="Daily ANALYZE of the tables changed since their last ANALYZE (pg_stat_user_tables), so the "
    "planner's statistics follow the nightly jobs' writes.",
)
def table_statistics(
    context: dg.AssetExecutionContext, config: TableStatisticsConfig, maintenance_postgres: PostgresResource
) -> dg.MaterializeResult:
    names = _table_names(maintenance_postgres, config.tables)
    result = table_upkeep.analyze_changed_tables(
        maintenance_postgres.get_engine(),
        tables=names,
        min_modifications=config.min_modifications,
        progress=context.log.info,
    )
    return dg.MaterializeResult(
        metadata={
            "tables_analyzed": len(result.analyzed),
            "tables_unchanged": result.unchanged,
            "rows_changed": sum(t.modifications for t in result.analyzed),
            "analyzed": _md_table(
                ["table", "changed rows", "last ANALYZE before", "after", "seconds"],
                [
                    [
                        t.table,
                        f"{t.modifications:,}",
                        t.last_analyze_before or "never",
                        t.last_analyze_after,
                        f"{t.seconds:.2f}",
                    ]
                    for t in result.analyzed
                ],
            ),
            "duration_s": round(result.seconds, 3),
        }
    )


# ---- VACUUM, weekly ---------------------------------------------------------------------------


class VacuumConfig(dg.Config):
    dead_ratio: float = Field(
        default=table_upkeep.DEFAULT_DEAD_RATIO, gt=0, le=1, description="Dead / (live + dead) tuples to vacuum from."
    )
    min_dead_tuples: int = Field(
        default=table_upkeep.DEFAULT_MIN_DEAD_TUPLES, ge=0, description="Dead tuples a table needs at least."
    )
    tables: list[str] = Field(default_factory=list, description="Only these tables; empty means every table.")
    full: bool = Field(
        default=False,
        description="VACUUM FULL: rewrites each picked table and returns its space to the operating system, "
        "but locks it against reads and writes meanwhile. Only when an operator asks for it.",
    )
    lock_timeout_seconds: float = Field(
        default=table_upkeep.DEFAULT_LOCK_TIMEOUT_SECONDS, gt=0, le=3600, description="Skip a table whose lock waits."
    )


@dg.asset(
    name="vacuum",
    group_name=GROUP,
    kinds={"postgres"},
    pool="postgres",
    description="Weekly VACUUM (ANALYZE) of the tables whose dead-tuple ratio passes a threshold; never VACUUM FULL "
    "unless the run config asks for it.",
)
def vacuum(
    context: dg.AssetExecutionContext, config: VacuumConfig, maintenance_postgres: PostgresResource
) -> dg.MaterializeResult:
    names = _table_names(maintenance_postgres, config.tables)
    result = table_upkeep.vacuum_bloated_tables(
        maintenance_postgres.get_engine(),
        dead_ratio=config.dead_ratio,
        min_dead_tuples=config.min_dead_tuples,
        tables=names,
        full=config.full,
        lock_timeout_seconds=config.lock_timeout_seconds,
        progress=context.log.info,
    )
    return dg.MaterializeResult(
        metadata={
            "mode": "VACUUM FULL" if result.full else "VACUUM",
            "tables_vacuumed": len(result.vacuumed),
            "tables_below_threshold": result.below_threshold,
            "tables_skipped_locked": dg.MetadataValue.json(result.skipped_locked),
            "dead_tuples_removed": result.dead_tuples_removed,
            "bytes_freed": result.bytes_freed,
            "vacuumed": _md_table(
                ["table", "dead ratio", "dead before", "dead after", "size before", "size after", "seconds"],
                [
                    [
                        t.table,
                        f"{t.dead_ratio_before:.1%}",
                        f"{t.dead_tuples_before:,}",
                        f"{t.dead_tuples_after:,}",
                        _mib(t.total_bytes_before),
                        _mib(t.total_bytes_after),
                        f"{t.seconds:.2f}",
                    ]
                    for t in result.vacuumed
                ],
            ),
            "duration_s": round(result.seconds, 3),
        }
    )


# ---- REINDEX CONCURRENTLY, monthly ------------------------------------------------------------


class ReindexConfig(dg.Config):
    bloat_ratio: float = Field(
        default=indexes.DEFAULT_BLOAT_RATIO, gt=0, le=1, description="Estimated share of empty space to rebuild from."
    )
    min_bloat_bytes: int = Field(
        default=indexes.DEFAULT_MIN_BLOAT_BYTES, ge=0, description="Estimated empty bytes to rebuild from."
    )
    tables: list[str] = Field(default_factory=list, description="Only indexes of these tables; empty means all.")
    max_indexes: int | None = Field(default=None, ge=1, description="Rebuild at most this many (most bloated first).")
    lock_timeout_seconds: float = Field(
        default=indexes.DEFAULT_LOCK_TIMEOUT_SECONDS, gt=0, le=3600, description="Give up an index whose lock waits."
    )


@dg.asset(
    name="reindex",
    group_name=GROUP,
    kinds={"postgres"},
    pool="postgres",
    description="Monthly REINDEX INDEX CONCURRENTLY, one index at a time, of the B-tree indexes whose estimated "
    "bloat passes a threshold; reads and writes of the tables go on meanwhile.",
)
def reindex(
    context: dg.AssetExecutionContext, config: ReindexConfig, maintenance_postgres: PostgresResource
) -> dg.MaterializeResult:
    names = _table_names(maintenance_postgres, config.tables)
    result = indexes.reindex_bloated_indexes(
        maintenance_postgres.get_engine(),
        bloat_ratio=config.bloat_ratio,
        min_bloat_bytes=config.min_bloat_bytes,
        tables=names,
        max_indexes=config.max_indexes,
        lock_timeout_seconds=config.lock_timeout_seconds,
        progress=context.log.info,
    )
    # the rebuilt ones are reported even when another failed: the failure then fails the run
    context.add_output_metadata(
        {
            "indexes_rebuilt": len(result.rebuilt),
            "indexes_below_threshold": result.below_threshold,
            "indexes_failed": dg.MetadataValue.json(result.failed),
            "leftovers_dropped": dg.MetadataValue.json(result.leftovers_dropped),
            "leftovers_pending": dg.MetadataValue.json(result.leftovers_pending),
            "bytes_freed": result.bytes_freed,
            "rebuilt": _md_table(
                ["index", "table", "estimated bloat", "size before", "size after", "seconds"],
                [
                    [
                        i.index,
                        i.table,
                        f"{i.estimated_bloat_ratio:.0%}",
                        _mib(i.bytes_before),
                        _mib(i.bytes_after),
                        f"{i.seconds:.2f}",
                    ]
                    for i in result.rebuilt
                ],
            ),
            "duration_s": round(result.seconds, 3),
        }
    )
    indexes.raise_for_failures(result)
    return dg.MaterializeResult()


# ---- backups, daily, and the weekly restore check ---------------------------------------------


class DatabaseBackupConfig(dg.Config):
    keep_daily_days: int = Field(
        default=backup.DEFAULT_DAILY_DAYS, ge=1, le=3650, description="Keep every backup of this many last days."
    )
    keep_monthly_months: int = Field(
        default=backup.DEFAULT_MONTHLY_MONTHS,
        ge=0,
        le=1200,
        description="Keep the first backup of each of this many last months.",
    )


@dg.asset(
    name="database_backup",
    group_name=GROUP,
    kinds={"postgres"},
    pool="postgres",
    description="Daily pg_dump (custom format) of the operational database to ARCHIVE_URL/backups/<database>/, "
    "with a manifest (size, SHA-256, duration, server version, row counts) and retention.",
)
def database_backup(
    context: dg.AssetExecutionContext, config: DatabaseBackupConfig, maintenance_postgres: PostgresResource
) -> dg.MaterializeResult:
    policy = backup.RetentionPolicy(config.keep_daily_days, config.keep_monthly_months)
    result = backup.back_up(
        maintenance_postgres.get_engine(), run_key=context.run.run_id, policy=policy, progress=context.log.info
    )
    manifest = result.manifest
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(_local_or_url(result.backup)),
            "url": dg.MetadataValue.url(result.backup.url),
            "size_bytes": manifest["size_bytes"],
            "size": _mib(manifest["size_bytes"]),
            "sha256": manifest["sha256"],
            "duration_s": manifest["duration_seconds"],
            "server_version": manifest["server_version"],
            "pg_dump_version": manifest["pg_dump_version"],
            "tables": len(manifest["tables"]),
            "rows": sum(manifest["tables"].values()),
            "deleted_by_retention": dg.MetadataValue.json(result.deleted),
            "backups_kept": result.kept,
        }
    )


@dg.asset_check(
    asset=database_backup,
    name=RESTORE_CHECK,
    pool="postgres",
    blocking=False,
    description="Restores the newest backup into a scratch database and compares every table's row count, and "
    "the checksums of a few tables, with its manifest; a file whose SHA-256 differs is caught before restoring.",
)
def backup_restore_check(
    context: dg.AssetCheckExecutionContext, maintenance_postgres: PostgresResource
) -> dg.AssetCheckResult:
    try:
        result = backup.restore_check(maintenance_postgres.get_engine(), progress=context.log.info)
    except PrometricError as error:  # no backup yet, a corrupt file, pg_restore refusing it
        return dg.AssetCheckResult(passed=False, metadata={"error": str(error)})
    return dg.AssetCheckResult(
        passed=result.matches,
        metadata={
            "backup": result.backup.name,
            "backup_taken_at": result.backup.manifest["started_at"],
            "tables_compared": result.tables_compared,
            "rows_restored": result.rows_restored,
            "checksums_compared": result.checksums_compared,
            "mismatches": result.mismatch_summary() or "none",
            "duration_s": round(result.seconds, 3),
        },
    )


# ---- health, hourly ---------------------------------------------------------------------------


class DatabaseHealthConfig(dg.Config):
    long_running_seconds: int = Field(
        default=health.DEFAULT_LONG_RUNNING_SECONDS, ge=1, description="A query running longer is reported."
    )
    retention_days: int = Field(default=health.DEFAULT_RETENTION_DAYS, ge=1, le=3650, description="Snapshots kept.")


@dg.asset(
    name="database_health",
    group_name=GROUP,
    kinds={"postgres", "table"},
    pool="postgres",
    description="Hourly snapshot of the database's health into maintenance_health_* (the seed's table-size and "
    "index-usage queries, unused indexes, dead tuples, long-running queries, connections); the dashboards' "
    "Database page shows the newest.",
    metadata={"dagster/table_name": "public.maintenance_health_snapshots"},
)
def database_health(
    context: dg.AssetExecutionContext, config: DatabaseHealthConfig, maintenance_postgres: PostgresResource
) -> dg.MaterializeResult:
    report = health.take_snapshot(
        maintenance_postgres.get_engine(),
        run_key=context.run.run_id,
        long_running_seconds=config.long_running_seconds,
        retention_days=config.retention_days,
    )
    snapshot = report.snapshot
    unused = report.unused_indexes
    return dg.MaterializeResult(
        metadata={
            "snapshot_id": str(snapshot["id"]),
            "database_bytes": snapshot["database_bytes"],
            "database_size": _mib(snapshot["database_bytes"]),
            "connections": snapshot["connections"],
            "server_connections": f"{snapshot['server_connections']} of {snapshot['max_connections']}",
            "long_running_queries": snapshot["long_running_queries"],
            "unused_indexes": len(unused),
            "unused_index_bytes": sum(i["index_bytes"] for i in unused),
            "largest_tables": _md_table(
                ["table", "size", "live", "dead"],
                [
                    [t["table_name"], _mib(t["total_bytes"]), f"{t['live_tuples']:,}", f"{t['dead_tuples']:,}"]
                    for t in report.tables[:10]
                ],
            ),
            "tables_with_dead_tuples": _md_table(
                ["table", "dead", "ratio"],
                [
                    [t["table_name"], f"{t['dead_tuples']:,}", f"{float(t['dead_ratio']):.1%}"]
                    for t in report.tables_with_dead_tuples
                ],
            ),
        }
    )


def _local_or_url(backed_up: backup.BackupFile) -> str:
    """The dump's local path (a local ARCHIVE_URL), else its object URL."""
    local = backed_up.location.store.local_path(backed_up.key)
    return str(local) if local is not None else backed_up.url
