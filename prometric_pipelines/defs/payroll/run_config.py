"""What a payroll run is told: the month is its partition (`lib.partitions.partition_tags`); the config says
for which organizations and what to do (compute, approve, mark paid)."""

import datetime as dt
from collections.abc import Sequence

import dagster as dg
from pydantic import Field

from prometric_pipelines.lib.run_config import OrganizationsConfig, ops_run_config, organization_list

PAYROLL_OPS = ("payroll_run",)


class PayrollConfig(OrganizationsConfig):
    """Launchpad config of a payroll run; the month is the partition."""

    approve: bool = Field(default=False, description="move the month's DRAFT rows to APPROVED (no recompute)")
    mark_paid: bool = Field(default=False, description="move the month's APPROVED rows to PAID")
    payment_date: str | None = Field(default=None, description="payment date for mark_paid (YYYY-MM-DD); today")
    recompute_all: bool = Field(
        default=False,
        description="recompute every DRAFT row, not only those whose inputs changed (repairs rows edited by hand)",
    )


def payroll_run_config(
    organization_ids: Sequence[str] | None = None,
    *,
    approve: bool = False,
    mark_paid: bool = False,
    payment_date: dt.date | None = None,
    recompute_all: bool = False,
) -> dg.RunConfig:
    """payroll_job's config (compute by default; approve and mark_paid move the month's rows on)."""
    config = PayrollConfig(
        organization_ids=organization_list(organization_ids),
        approve=approve,
        mark_paid=mark_paid,
        payment_date=payment_date.isoformat() if payment_date else None,
        recompute_all=recompute_all,
    )
    return ops_run_config(PAYROLL_OPS, config)
