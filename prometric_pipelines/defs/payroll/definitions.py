"""Payroll: the `payroll_run` asset, its checks, job and schedule."""

import datetime as dt
from zoneinfo import ZoneInfo

import dagster as dg

from prometric_pipelines.defs.automation import default_schedule_status
from prometric_pipelines.defs.monitoring.freshness import freshness_checks
from prometric_pipelines.defs.payroll.assets import payroll_run

payroll_job = dg.define_asset_job(
    "payroll_job",
    # the freshness check of payroll_run runs from its own schedule, not after every payroll run
    selection=dg.AssetSelection.assets(payroll_run) - dg.AssetSelection.checks(*freshness_checks),
    description="Computes one month's payroll (DRAFT), or approves / marks it paid (run config).",
)


@dg.schedule(
    job=payroll_job,
    cron_schedule="0 6 1 * *",
    execution_timezone="Asia/Almaty",
    default_status=default_schedule_status(),
    description="On the 1st at 06:00 Almaty time: the DRAFT payroll of the month that just ended.",
)
def payroll_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    scheduled = context.scheduled_execution_time or dt.datetime.now(dt.UTC)
    local = scheduled.astimezone(ZoneInfo("Asia/Almaty"))
    previous = (local.date().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return dg.RunRequest(run_key=f"payroll-{previous:%Y-%m}", partition_key=previous.isoformat())


defs = dg.Definitions(assets=[payroll_run], jobs=[payroll_job], schedules=[payroll_schedule])
