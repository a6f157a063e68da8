import dagster as dg

from prometric_pipelines.defs.audit.assets import (
    audit_archive,
    audit_archive_job,
    audit_archive_schedule,
    audit_restore_job,
)

defs = dg.Definitions(
    assets=[audit_archive], jobs=[audit_archive_job, audit_restore_job], schedules=[audit_archive_schedule]
)
