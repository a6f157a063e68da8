"""Pipeline monitoring: the partition freshness checks of every domain, run together after each deadline.

Each check lives next to its asset (defs/metrics/checks.py, defs/payroll/checks.py); a failed one records a
freshness alert for every organization (lib/freshness.py).
"""

import dagster as dg

from prometric_pipelines.business_calendar import TIMEZONE_NAME
from prometric_pipelines.defs.metrics.checks import daily_metrics_freshness
from prometric_pipelines.defs.payroll.checks import payroll_freshness
from prometric_pipelines.lib.automation import business_schedule

freshness_checks = [daily_metrics_freshness, payroll_freshness]

freshness_checks_job = dg.define_asset_job(
    "freshness_checks_job",
    selection=dg.AssetSelection.checks(*freshness_checks),
    description="Evaluates the partition freshness checks (a failed one records a freshness alert).",
)


@business_schedule(
    freshness_checks_job,
    "5 3 * * *",
    f"03:05 {TIMEZONE_NAME}: right after the daily_metrics deadline (payroll's is checked daily too).",
)
def freshness_checks_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    return dg.RunRequest(run_key=f"freshness-{context.scheduled_execution_time:%Y-%m-%d}")
