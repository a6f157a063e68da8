"""What an audit run is told: the archive's month is its partition (`lib.partitions.partition_tags`); the
restore job, which has no partitions, takes its month in the config."""

import datetime as dt
from collections.abc import Sequence

import dagster as dg

from prometric_pipelines.lib.run_config import OrganizationsConfig, ops_run_config, organization_list

ARCHIVE_OPS = ("audit_archive",)
RESTORE_OPS = ("restore_audit_month",)


class AuditArchiveConfig(OrganizationsConfig):
    """Launchpad config of an archive run; the month is the partition."""

    before: str | None = None  # YYYY-MM-DD: archive rows created before this day instead of by retention


class AuditRestoreConfig(OrganizationsConfig):
    """Config of audit_restore_job (an op job, no partitions)."""

    month: str  # YYYY-MM


def archive_run_config(organization_ids: Sequence[str] | None = None, before: dt.date | None = None) -> dg.RunConfig:
    """audit_archive_job's config: rows older than the retention, or than `before` when given."""
    config = AuditArchiveConfig(
        organization_ids=organization_list(organization_ids), before=before.isoformat() if before else None
    )
    return ops_run_config(ARCHIVE_OPS, config)


def restore_run_config(month: dt.date, organization_ids: Sequence[str] | None = None) -> dg.RunConfig:
    """audit_restore_job's config: one archived month back into the live table."""
    return ops_run_config(
        RESTORE_OPS, AuditRestoreConfig(month=f"{month:%Y-%m}", organization_ids=organization_list(organization_ids))
    )
