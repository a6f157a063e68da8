"""Per-organization runs: the nightly metrics and the monthly payroll as one run per tenant.

Why per-tenant runs (not dynamic outputs inside one run): each run is exactly the existing job with
`organization_ids: [one]`, so the assets keep their semantics unchanged (one transaction per
partition write per organization, the same advisory locks, the same checks), a failure concerns one
tenant and is retried alone, and the instance bounds the parallelism twice over: the run coordinator
(`max_concurrent_runs`, a tag limit on `prometric/fan_out`) and the `postgres` pool for steps.

These schedules are an alternative to the all-organizations ones (same cron, same days) and load
stopped: an operator switches one of the pair on (deploy/README.md).
"""

from collections.abc import Iterable, Mapping
from typing import Any

import dagster as dg

from prometric_pipelines.defs.metrics.definitions import (
    TIMEZONE,
    daily_metrics,
    kpi_values,
    metrics_job,
    nightly_day,
    nightly_tags,
    rollup_assets,
)
from prometric_pipelines.defs.payroll.assets import payroll_run
from prometric_pipelines.defs.payroll.definitions import payroll_job, payroll_schedule
from prometric_pipelines.defs.resources import PostgresResource
from prometric_pipelines.monitoring.failures import ORGANIZATION_TAG
from prometric_pipelines.sql import load_sql

FAN_OUT_TAG = "prometric/fan_out"

METRICS_OPS = tuple(asset.op.name for asset in (daily_metrics, *rollup_assets, kpi_values))
PAYROLL_OPS = (payroll_run.op.name,)


def per_organization_requests(
    job_name: str,
    op_names: Iterable[str],
    organization_ids: Iterable[str],
    run_key: str,
    tags: Mapping[str, str] | None = None,
    partition_key: str | None = None,
) -> list[dg.RunRequest]:
    """One RunRequest per organization: the job's config limited to it, tagged for the coordinator."""
    op_names = tuple(op_names)
    return [
        dg.RunRequest(
            run_key=f"{run_key}-{organization}",
            partition_key=partition_key,
            run_config={"ops": {op: {"config": {"organization_ids": [organization]}} for op in op_names}},
            tags={**(tags or {}), FAN_OUT_TAG: job_name, ORGANIZATION_TAG: organization},
        )
        for organization in organization_ids
    ]


def active_organizations(postgres: PostgresResource) -> list[str]:
    with postgres.get_engine().connect() as conn:
        return [str(row[0]) for row in conn.execute(load_sql("monitoring", "all_organizations"))]


@dg.schedule(
    job=metrics_job,
    cron_schedule="0 1 * * *",
    execution_timezone=TIMEZONE,
    description="Like metrics_nightly_schedule, as one run per organization (switch on one of the two).",
)
def metrics_per_organization_schedule(
    context: dg.ScheduleEvaluationContext, postgres: PostgresResource
) -> list[dg.RunRequest]:
    last = nightly_day(context.scheduled_execution_time)
    return per_organization_requests(
        metrics_job.name, METRICS_OPS, active_organizations(postgres), f"metrics-{last}", nightly_tags(last)
    )


@dg.schedule(
    job=payroll_job,
    cron_schedule="0 6 1 * *",
    execution_timezone=TIMEZONE,
    description="Like payroll_schedule, as one run per organization (switch on one of the two).",
)
def payroll_per_organization_schedule(
    context: dg.ScheduleEvaluationContext, postgres: PostgresResource
) -> list[dg.RunRequest]:
    month = _previous_month_key(context)
    return per_organization_requests(
        payroll_job.name, PAYROLL_OPS, active_organizations(postgres), f"payroll-{month[:7]}", partition_key=month
    )


def _previous_month_key(context: dg.ScheduleEvaluationContext) -> str:
    # the all-organizations schedule's own answer, so the two can never disagree on the month
    request: Any = payroll_schedule(context)
    return request.partition_key
