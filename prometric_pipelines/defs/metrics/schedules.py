"""The metrics job, its nightly schedule (all organizations, or one run per organization) and the sensor
that pulls the rollups and KPIs along after a daily_metrics backfill from the UI."""

import datetime as dt

import dagster as dg

from prometric_pipelines.business_calendar import TIMEZONE_NAME
from prometric_pipelines.defs.alerts.assets import metric_alerts
from prometric_pipelines.defs.metrics.assets import daily_metrics, kpi_values, rollup_assets
from prometric_pipelines.defs.metrics.checks import daily_metrics_freshness
from prometric_pipelines.defs.metrics.run_config import metrics_run_config, nightly_tags
from prometric_pipelines.lib.automation import business_schedule, default_sensor_status
from prometric_pipelines.lib.fan_out import per_organization_twin

metrics_job = dg.define_asset_job(
    "metrics_job",
    # the freshness check of daily_metrics runs from its own schedule, not after every (backfill) run
    selection=dg.AssetSelection.assets(daily_metrics, *rollup_assets, kpi_values, metric_alerts)
    - dg.AssetSelection.checks(daily_metrics_freshness),
    description="Daily metrics, their weekly/monthly/quarterly/yearly rollups, KPIs and alerts for a range of days.",
)


def nightly_day(scheduled: dt.datetime) -> dt.date:
    """Yesterday (a business day; the schedule ticks in the business time zone): the newest day computed."""
    return scheduled.date() - dt.timedelta(days=1)


@business_schedule(
    metrics_job,
    "0 1 * * *",
    f"01:00 {TIMEZONE_NAME}: yesterday, and every earlier day whose facts changed since the last run.",
)
def metrics_nightly_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    last = nightly_day(context.scheduled_execution_time)
    return dg.RunRequest(run_key=f"metrics-{last}", tags=nightly_tags(last))


# Evaluates the rollups' and kpi_values' eager conditions, so a daily_metrics backfill launched from the
# UI pulls them along. Dagster's implicit default sensor loads stopped; this one follows the same switch
# as the schedules (on in the demo and in production).
metrics_automation_sensor = dg.AutomationConditionSensorDefinition(
    "metrics_rollups_automation",
    target=dg.AssetSelection.assets(*rollup_assets, kpi_values),
    default_status=default_sensor_status(),
    minimum_interval_seconds=60,
)


metrics_per_organization_schedule = per_organization_twin(
    "metrics_per_organization_schedule",
    metrics_nightly_schedule,
    lambda organization: metrics_run_config([organization]),
)
