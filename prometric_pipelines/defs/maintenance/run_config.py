"""What the maintenance jobs are told: which tables, thresholds, retention. Defaults are the scheduled runs'."""

import dagster as dg
from pydantic import Field

from prometric_pipelines.lib.run_config import ops_run_config
from prometric_pipelines.maintenance import backup, health, indexes
from prometric_pipelines.maintenance import tables as table_upkeep

BACKUP_OPS = ("database_backup",)


class TableStatisticsConfig(dg.Config):
    tables: list[str] = Field(default_factory=list, description="Only these tables; empty means every table.")
    min_modifications: int = Field(
        default=1, ge=1, description="Rows changed since the table's last ANALYZE for it to be analysed again."
    )


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


class DatabaseHealthConfig(dg.Config):
    long_running_seconds: int = Field(
        default=health.DEFAULT_LONG_RUNNING_SECONDS, ge=1, description="A query running longer is reported."
    )
    retention_days: int = Field(default=health.DEFAULT_RETENTION_DAYS, ge=1, le=3650, description="Snapshots kept.")


def backup_run_config(keep_daily_days: int | None = None, keep_monthly_months: int | None = None) -> dg.RunConfig:
    """database_backup_job's config: the retention policy's defaults unless given."""
    kept = {"keep_daily_days": keep_daily_days, "keep_monthly_months": keep_monthly_months}
    return ops_run_config(BACKUP_OPS, DatabaseBackupConfig(**{k: v for k, v in kept.items() if v}))
