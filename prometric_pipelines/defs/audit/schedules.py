"""The audit archive job with its monthly schedule, and the restore job."""

import dagster as dg

from prometric_pipelines.business_calendar import TIMEZONE_NAME, previous_month
from prometric_pipelines.defs.audit.assets import audit_archive, restore_audit_month
from prometric_pipelines.lib.automation import business_schedule


@dg.job(description="Restores one archived month of audit logs (config: month, organization_ids).")
def audit_restore_job():
    restore_audit_month()


audit_archive_job = dg.define_asset_job(
    "audit_archive_job",
    selection=[audit_archive],
    description="Archives audit logs older than the retention (one partition = the month the run closes).",
)


@business_schedule(
    audit_archive_job, "0 3 1 * *", f"On the 1st at 03:00 {TIMEZONE_NAME}: archive as of the month that just ended."
)
def audit_archive_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    ended = previous_month(context.scheduled_execution_time.date())
    key = ended.isoformat()
    return dg.RunRequest(run_key=f"audit_archive_{key}", partition_key=key)
