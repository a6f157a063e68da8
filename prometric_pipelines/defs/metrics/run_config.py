"""What a metrics run is told: its organizations (config) and, for the nightly, its tags.

`metrics_job` covers a range of daily partitions (`lib.partitions.partition_range_tags`); a nightly run
(NIGHTLY_TAG = NIGHTLY_CHANGES) computes its partition (yesterday) and, per organization, every earlier day
whose facts changed since the last nightly run (metrics/nightly.py).
"""

import datetime as dt
from collections.abc import Sequence

import dagster as dg

from prometric_pipelines.lib.partitions import partition_range_tags
from prometric_pipelines.lib.run_config import OrganizationsConfig, ops_run_config, organization_list

NIGHTLY_TAG = "prometric/metrics_nightly"
NIGHTLY_CHANGES = "changes"

# the ops of metrics_job that take MetricsConfig, in the order the job runs them
METRICS_OPS = (
    "daily_metrics",
    "weekly_metrics",
    "monthly_metrics",
    "quarterly_metrics",
    "yearly_metrics",
    "kpi_values",
)
ALERTS_OP = "metric_alerts"


class MetricsConfig(OrganizationsConfig):
    """Launchpad config of every metrics asset: leave empty for all organizations."""


def metrics_run_config(organization_ids: Sequence[str] | None = None) -> dg.RunConfig:
    """metrics_job's config: the same organizations for every metrics step and the alerts."""
    organizations = organization_list(organization_ids)
    return dg.RunConfig(
        ops={
            **ops_run_config(METRICS_OPS, MetricsConfig(organization_ids=organizations)).ops,
            ALERTS_OP: OrganizationsConfig(organization_ids=organizations),
        }
    )


def nightly_tags(last: dt.date) -> dict[str, str]:
    """Tags of a nightly run: yesterday's partition, and the days whose facts changed (NIGHTLY_TAG)."""
    return {**partition_range_tags(last, last), NIGHTLY_TAG: NIGHTLY_CHANGES}
