"""The payroll job and its monthly schedule (all organizations, or one run per organization)."""

import datetime as dt

import dagster as dg

from prometric_pipelines.business_calendar import local_date, previous_month
from prometric_pipelines.defs.payroll.assets import payroll_run
from prometric_pipelines.defs.payroll.checks import payroll_freshness
from prometric_pipelines.defs.payroll.run_config import payroll_run_config
from prometric_pipelines.lib.automation import business_schedule
from prometric_pipelines.lib.fan_out import per_organization_twin

payroll_job = dg.define_asset_job(
    "payroll_job",
    # the freshness check of payroll_run runs from its own schedule, not after every payroll run
    selection=dg.AssetSelection.assets(payroll_run) - dg.AssetSelection.checks(payroll_freshness),
    description="Computes one month's payroll (DRAFT), or approves / marks it paid (run config).",
)


@business_schedule(
    payroll_job, "0 6 1 * *", "On the 1st at 06:00 Almaty time: the DRAFT payroll of the month that just ended."
)
def payroll_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    scheduled = context.scheduled_execution_time or dt.datetime.now(dt.UTC)
    previous = previous_month(local_date(scheduled))
    return dg.RunRequest(run_key=f"payroll-{previous:%Y-%m}", partition_key=previous.isoformat())


payroll_per_organization_schedule = per_organization_twin(
    "payroll_per_organization_schedule", payroll_schedule, lambda organization: payroll_run_config([organization])
)
