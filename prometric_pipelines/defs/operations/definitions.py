"""Operations: run-failure alerts, partition freshness checks, per-organization schedules."""

import dagster as dg

from prometric_pipelines.defs.operations.fanout import (
    metrics_per_organization_schedule,
    payroll_per_organization_schedule,
)
from prometric_pipelines.defs.operations.freshness import (
    freshness_checks,
    freshness_checks_job,
    freshness_checks_schedule,
)
from prometric_pipelines.defs.operations.sensors import run_failure_notifications

defs = dg.Definitions(
    asset_checks=freshness_checks,
    jobs=[freshness_checks_job],
    schedules=[freshness_checks_schedule, metrics_per_organization_schedule, payroll_per_organization_schedule],
    sensors=[run_failure_notifications],
)
