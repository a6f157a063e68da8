"""Database maintenance as Dagster assets (group `maintenance`): statistics, vacuum, reindex, backups
with their weekly restore check, and the hourly health snapshot. Thin layer over
prometric_pipelines/maintenance/; every asset is in the `postgres` pool, one command at a time."""

import dagster as dg

from prometric_pipelines.defs.maintenance.run_config import (
    DatabaseBackupConfig,
    DatabaseHealthConfig,
    ReindexConfig,
    TableStatisticsConfig,
    VacuumConfig,
)
from prometric_pipelines.lib.resources import ArchiveResource, PostgresResource
from prometric_pipelines.maintenance import backup, health, indexes
from prometric_pipelines.maintenance import tables as table_upkeep
from prometric_pipelines.validation import check_run_config

# every maintenance asset: its group, one command at a time in the `postgres` pool
COMMON = {"group_name": "maintenance", "kinds": {"postgres"}, "pool": "postgres"}
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


@dg.asset(
    **COMMON,
    name="table_statistics",
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


@dg.asset(
    **COMMON,
    name="vacuum",
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


@dg.asset(
    **COMMON,
    name="reindex",
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


@dg.asset(
    **COMMON,
    name="database_backup",
    description="Daily pg_dump (custom format) of the operational database to ARCHIVE_URL/backups/<database>/, "
    "with a manifest (size, SHA-256, duration, server version, row counts) and retention.",
)
def database_backup(
    context: dg.AssetExecutionContext,
    config: DatabaseBackupConfig,
    maintenance_postgres: PostgresResource,
    archive_storage: ArchiveResource,
) -> dg.MaterializeResult:
    policy = backup.RetentionPolicy(config.keep_daily_days, config.keep_monthly_months)
    result = backup.back_up(
        maintenance_postgres.get_engine(),
        run_key=context.run.run_id,
        archive_url=archive_storage.location_url(),
        policy=policy,
        progress=context.log.info,
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


@dg.asset(
    **{**COMMON, "kinds": {"postgres", "table"}},
    name="database_health",
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
