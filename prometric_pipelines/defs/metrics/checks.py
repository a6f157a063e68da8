"""The freshness of daily_metrics: yesterday's partition by 03:00 (the nightly run starts at 01:00).

The asset's own checks (row counts, duplicate keys, revenue, skipped rows) are computed by the asset
itself (`check_specs` in assets.py); this one runs from `freshness_checks_schedule` (defs/monitoring).
"""

import datetime as dt

import dagster as dg

from prometric_pipelines.business_calendar import TIMEZONE_NAME
from prometric_pipelines.lib.freshness import partition_freshness
from prometric_pipelines.lib.resources import PostgresResource
from prometric_pipelines.monitoring.freshness import expected_daily_partition

# the nightly run (01:00) must have materialized it between midnight and 03:00
DAILY_METRICS_FRESHNESS = dg.FreshnessPolicy.cron(
    deadline_cron="0 3 * * *", lower_bound_delta=dt.timedelta(hours=3), timezone=TIMEZONE_NAME
)


@dg.asset_check(
    asset="daily_metrics",
    name="yesterday_materialized_by_3am",
    pool="postgres",  # a failed check records a freshness alert
    description=f"Yesterday's partition ({TIMEZONE_NAME}) exists once 03:00 has passed.",
)
def daily_metrics_freshness(context: dg.AssetCheckExecutionContext, postgres: PostgresResource) -> dg.AssetCheckResult:
    day = expected_daily_partition(dt.datetime.now(dt.UTC))
    return partition_freshness(context.instance, "daily_metrics", day.isoformat(), postgres)
