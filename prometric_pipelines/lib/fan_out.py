"""Per-organization runs: a job as one run per tenant (the metrics nightly, the monthly payroll).

Why per-tenant runs (not dynamic outputs inside one run): each run is exactly the existing job with
`organization_ids: [one]`, so the assets keep their semantics unchanged (one transaction per
partition write per organization, the same advisory locks, the same checks), a failure concerns one
tenant and is retried alone, and the instance bounds the parallelism twice over: the run coordinator
(`max_concurrent_runs`, a tag limit on `prometric/fan_out`) and the `postgres` pool for steps.

The per-organization schedules (next to each domain's own schedule) are an alternative to the
all-organizations ones (same cron, same days) and load stopped: an operator switches one of the pair on.
"""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import dagster as dg

from prometric_pipelines.lib.resources import PostgresResource
from prometric_pipelines.monitoring.failures import ORGANIZATION_TAG
from prometric_pipelines.sql import load_sql

FAN_OUT_TAG = "prometric/fan_out"


def per_organization_requests(
    job_name: str,
    run_config_for: Callable[[str], dg.RunConfig],
    organization_ids: Iterable[str],
    run_key: str,
    tags: Mapping[str, str] | None = None,
    partition_key: str | None = None,
) -> list[dg.RunRequest]:
    """One RunRequest per organization: the job's config limited to it, tagged for the coordinator."""
    return [
        dg.RunRequest(
            run_key=f"{run_key}-{organization}",
            partition_key=partition_key,
            run_config=run_config_for(organization),
            tags={**(tags or {}), FAN_OUT_TAG: job_name, ORGANIZATION_TAG: organization},
        )
        for organization in organization_ids
    ]


def active_organizations(postgres: PostgresResource) -> list[str]:
    with postgres.get_engine().connect() as conn:
        return [str(row[0]) for row in conn.execute(load_sql("monitoring", "all_organizations"))]


def per_organization_twin(
    name: str, usual: dg.ScheduleDefinition, run_config_for: Callable[[str], dg.RunConfig]
) -> dg.ScheduleDefinition:
    """`usual` as one run per active organization: the same job and cron, and the same partitions and tags (the
    usual schedule's own run request, so the two never disagree), each run's config limited to its organization.
    It loads stopped: an operator switches on one of the two."""

    @dg.schedule(
        name=name,
        job_name=usual.job_name,
        cron_schedule=usual.cron_schedule,
        execution_timezone=usual.execution_timezone,
        description=f"Like {usual.name}, as one run per organization (switch on one of the two).",
    )
    def twin(context: dg.ScheduleEvaluationContext, postgres: PostgresResource) -> list[dg.RunRequest]:
        request: Any = usual(context)
        return per_organization_requests(
            usual.job_name,
            run_config_for,
            active_organizations(postgres),
            request.run_key,
            request.tags,
            request.partition_key,
        )

    return twin
