"""The freshness of payroll_run: last month's partition by the 2nd (the schedule runs on the 1st at 06:00).

The asset's own checks (net = gross − deductions − tax, breakdown, every employee paid or skipped) are
computed by the asset itself (`check_specs` in assets.py); this one runs from `freshness_checks_schedule`.
"""

import datetime as dt

import dagster as dg

from prometric_pipelines.business_calendar import TIMEZONE_NAME
from prometric_pipelines.lib.freshness import partition_freshness
from prometric_pipelines.lib.resources import PostgresResource
from prometric_pipelines.monitoring.freshness import expected_payroll_month

# the monthly run (1st, 06:00) must have materialized it during the 1st
PAYROLL_FRESHNESS = dg.FreshnessPolicy.cron(
    deadline_cron="0 0 2 * *", lower_bound_delta=dt.timedelta(days=1), timezone=TIMEZONE_NAME
)


@dg.asset_check(
    asset="payroll_run",
    name="last_month_materialized_by_the_2nd",
    pool="postgres",
    description=f"Last month's partition exists once the 2nd (00:00 {TIMEZONE_NAME}) has come.",
)
def payroll_freshness(context: dg.AssetCheckExecutionContext, postgres: PostgresResource) -> dg.AssetCheckResult:
    month = expected_payroll_month(dt.datetime.now(dt.UTC))
    return partition_freshness(context.instance, "payroll_run", month.isoformat(), postgres)
