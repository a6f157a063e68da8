"""Operations: run-failure alerts, partition freshness checks, per-organization schedules."""

import os

import dagster as dg

from prometric_pipelines.defs.monitoring.fanout import (
    metrics_per_organization_schedule,
    payroll_per_organization_schedule,
)
from prometric_pipelines.defs.monitoring.freshness import (
    freshness_checks,
    freshness_checks_job,
    freshness_checks_schedule,
)
from prometric_pipelines.defs.monitoring.sensors import run_failure_notifications
from prometric_pipelines.monitoring.instance import check_dagster_storage

# refuse to load (one clear error in the UI / `dg check defs`) when Dagster's storage is the ERP database
check_dagster_storage(os.environ)

defs = dg.Definitions(
    asset_checks=freshness_checks,
    jobs=[freshness_checks_job],
    schedules=[freshness_checks_schedule, metrics_per_organization_schedule, payroll_per_organization_schedule],
    sensors=[run_failure_notifications],
)
