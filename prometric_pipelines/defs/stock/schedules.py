"""The stock reconciliation job and its nightly schedule."""

import datetime as dt

import dagster as dg

from prometric_pipelines.business_calendar import TIMEZONE_NAME, local_date
from prometric_pipelines.defs.stock.assets import stock_reconciliation
from prometric_pipelines.lib.automation import business_schedule

stock_reconciliation_job = dg.define_asset_job(
    "stock_reconciliation_job",
    selection=[stock_reconciliation],
    description="Daily stock reconciliation (`prometric run reconcile`).",
)


@business_schedule(
    stock_reconciliation_job,
    "0 2 * * *",
    f"02:00 {TIMEZONE_NAME}: reconcile the day that begins (findings only; apply is an operator's choice).",
)
def stock_reconciliation_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    scheduled = context.scheduled_execution_time or dt.datetime.now(dt.UTC)
    day = local_date(scheduled)
    return dg.RunRequest(run_key=f"stock-{day}", partition_key=day.isoformat())
