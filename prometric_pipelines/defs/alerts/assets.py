"""Dagster layer of the alerts: `metric_alerts`, downstream of the daily metrics and KPIs (same daily
partitions), in `metrics_job` so that the nightly schedule runs it after them.

The asset detects anomalies and KPI-target alerts for its days (prometric_pipelines/alerts/detect.py),
then delivers what is new about recent days (in-app, and e-mail when SMTP_URL is set). Its check
`no_severe_alerts` fails when a severe alert was found: the run stays green, the check shows red.
"""

import datetime as dt
from collections.abc import Iterator

import dagster as dg

from prometric_pipelines.alerts.deliver import deliver_alerts
from prometric_pipelines.alerts.detect import detect_alerts
from prometric_pipelines.business_calendar import business_today
from prometric_pipelines.config import smtp_sender, smtp_url
from prometric_pipelines.lib.isolation import report_failures
from prometric_pipelines.lib.partitions import daily_partitions, partition_days
from prometric_pipelines.lib.resources import PostgresResource
from prometric_pipelines.lib.run_config import OrganizationsConfig, config_organizations
from prometric_pipelines.monitoring.isolation import completed_check_result, completed_check_spec, failure_metadata

# alerts about days older than this (a backfill) are recorded but not delivered
DELIVERY_DAYS = 7


@dg.asset(
    partitions_def=daily_partitions,  # the metrics' own: one partition per metrics day
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="alerts",
    kinds={"postgres", "sql", "email"},
    pool="postgres",
    deps=["daily_metrics", "kpi_values"],
    description=(
        "Alerts (table `alerts`) for the days of the partitions: daily metric values far from the same weekday "
        "of the last weeks, and KPIs off target for periods that closed; new ones delivered to owners and managers."
    ),
    check_specs=[
        dg.AssetCheckSpec(
            "no_severe_alerts", asset="metric_alerts", description="no severe alert was found for these days"
        ),
        completed_check_spec("metric_alerts"),
    ],
)
def metric_alerts(
    context: dg.AssetExecutionContext, postgres: PostgresResource, config: OrganizationsConfig
) -> Iterator[dg.MaterializeResult]:
    first, last = partition_days(context)
    engine = postgres.get_engine()
    organizations = config_organizations(engine, config)
    result, failures = detect_alerts(engine, first, last, organizations)
    failed = {f.organization_id for f in failures}
    delivered = deliver_alerts(
        engine,
        [o for o in organizations if o not in failed],
        since=max(first, business_today() - dt.timedelta(days=DELIVERY_DAYS)),
        night=last,
        smtp_url=smtp_url(),
        sender=smtp_sender(),
    )
    for line in delivered.email_failures:
        context.log.warning(f"alert e-mail not sent: {line}")
    yield dg.MaterializeResult(
        metadata={
            "first_day": str(first),
            "last_day": str(last),
            "organizations": result.organizations,
            "alerts": result.total,
            "anomaly_alerts": result.by_kind["anomaly"],
            "kpi_target_alerts": result.by_kind["kpi_target"],
            "severe_alerts": result.by_severity["severe"],
            "warning_alerts": result.by_severity["warning"],
            "alerts_removed": result.removed,
            "notifications": delivered.notifications,
            "emails_sent": delivered.emails,
            "emails_failed": len(delivered.email_failures),
            **failure_metadata(failures, len(organizations)),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name="no_severe_alerts",
                passed=not result.severe,
                description=("; ".join(result.severe) or "no severe alert")[:2000],
                metadata={"severe_alerts": len(result.severe)},
            ),
            completed_check_result("metric_alerts", failures, len(organizations)),
        ],
    )
    report_failures(context, engine, failures, len(organizations))
