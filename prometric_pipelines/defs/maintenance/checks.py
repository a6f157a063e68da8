"""The weekly restore check of the newest database backup (runs from backup_restore_check_schedule)."""

import dagster as dg

from prometric_pipelines.defs.maintenance.assets import database_backup
from prometric_pipelines.errors import PrometricError
from prometric_pipelines.lib.resources import ArchiveResource, PostgresResource
from prometric_pipelines.maintenance import backup


@dg.asset_check(
    asset=database_backup,
    name="backup_restore_check",
    pool="postgres",
    blocking=False,
    description="Restores the newest backup into a scratch database and compares every table's row count, and "
    "the checksums of a few tables, with its manifest; a file whose SHA-256 differs is caught before restoring.",
)
def backup_restore_check(
    context: dg.AssetCheckExecutionContext, maintenance_postgres: PostgresResource, archive_storage: ArchiveResource
) -> dg.AssetCheckResult:
    try:
        result = backup.restore_check(
            maintenance_postgres.get_engine(), archive_url=archive_storage.location_url(), progress=context.log.info
        )
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
