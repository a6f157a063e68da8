"""Freshness: yesterday's `daily_metrics` by 03:00 Almaty, last month's `payroll_run` by the 2nd.

Two layers, because Dagster 1.13's `FreshnessPolicy` (attached to the assets, shown in the UI, evaluated
by the daemon) looks at the asset's latest materialization, whatever partition it was: a backfill of
an old month at 00:30 on the 1st would count. The partition checks here ask for the exact partition
(prometric_pipelines/monitoring/freshness.py) and run from `freshness_checks_schedule` after each deadline.
"""

import datetime as dt

import dagster as dg
from sqlalchemy.exc import SQLAlchemyError

from prometric_pipelines.alerts.record import record_stale_partition
from prometric_pipelines.defs.automation import default_schedule_status
from prometric_pipelines.defs.resources import PostgresResource
from prometric_pipelines.errors import PrometricError
from prometric_pipelines.monitoring.freshness import expected_daily_partition, expected_payroll_month

TIMEZONE = "Asia/Almaty"

# the nightly run (01:00) must have materialized it between midnight and 03:00
DAILY_METRICS_FRESHNESS = dg.FreshnessPolicy.cron(
    deadline_cron="0 3 * * *", lower_bound_delta=dt.timedelta(hours=3), timezone=TIMEZONE
)
# the monthly run (1st, 06:00) must have materialized it during the 1st
PAYROLL_FRESHNESS = dg.FreshnessPolicy.cron(
    deadline_cron="0 0 2 * *", lower_bound_delta=dt.timedelta(days=1), timezone=TIMEZONE
)


def partition_freshness(
    instance: dg.DagsterInstance, asset: str, partition_key: str, postgres: PostgresResource | None = None
) -> dg.AssetCheckResult:
    """Passes when the partition has a materialization in the instance; else, with `postgres`, also records
    a freshness alert for every organization (the one model of alerts, docs/alerts.md)."""
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey(asset), asset_partitions=[partition_key]), limit=1
    ).records
    if records:
        when = dt.datetime.fromtimestamp(records[0].timestamp, dt.UTC)
        return dg.AssetCheckResult(
            passed=True,
            description=f"partition {partition_key} materialized at {when:%Y-%m-%d %H:%M} UTC",
            metadata={"expected_partition": partition_key, "materialized_at": dg.MetadataValue.timestamp(when)},
        )
    if postgres is not None:
        try:
            with postgres.get_engine().begin() as conn:
                record_stale_partition(conn, asset, partition_key, dt.date.fromisoformat(partition_key))
        except (PrometricError, SQLAlchemyError) as error:  # the check's verdict stands without its alert
            dg.get_dagster_logger().warning(f"freshness alert not recorded: {str(error).splitlines()[0]}")
    return dg.AssetCheckResult(
        passed=False,
        description=f"partition {partition_key} is not materialized yet",
        metadata={"expected_partition": partition_key},
    )


@dg.asset_check(
    asset="daily_metrics",
    name="yesterday_materialized_by_3am",
    pool="postgres",  # a failed check records a freshness alert
    description="Yesterday's partition (Asia/Almaty) exists once 03:00 has passed.",
)
def daily_metrics_freshness(context: dg.AssetCheckExecutionContext, postgres: PostgresResource) -> dg.AssetCheckResult:
    day = expected_daily_partition(dt.datetime.now(dt.UTC))
    return partition_freshness(context.instance, "daily_metrics", day.isoformat(), postgres)


@dg.asset_check(
    asset="payroll_run",
    name="last_month_materialized_by_the_2nd",
    pool="postgres",
    description="Last month's partition exists once the 2nd (00:00 Asia/Almaty) has come.",
)
def payroll_freshness(context: dg.AssetCheckExecutionContext, postgres: PostgresResource) -> dg.AssetCheckResult:
    month = expected_payroll_month(dt.datetime.now(dt.UTC))
    return partition_freshness(context.instance, "payroll_run", month.isoformat(), postgres)


freshness_checks = [daily_metrics_freshness, payroll_freshness]

freshness_checks_job = dg.define_asset_job(
    "freshness_checks_job",
    selection=dg.AssetSelection.checks(*freshness_checks),
    description="Evaluates the partition freshness checks (a failed one records a freshness alert).",
)


@dg.schedule(
    job=freshness_checks_job,
    cron_schedule="5 3 * * *",
    execution_timezone=TIMEZONE,
    default_status=default_schedule_status(),
    description="03:05 Asia/Almaty: right after the daily_metrics deadline (payroll's is checked daily too).",
)
def freshness_checks_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    return dg.RunRequest(run_key=f"freshness-{context.scheduled_execution_time:%Y-%m-%d}")
