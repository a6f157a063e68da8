"""What a stock reconciliation run is told: the day is its partition (`lib.partitions.partition_tags`); the
config says for which organizations, whether to apply adjustments and whether to read every movement."""

from collections.abc import Sequence

import dagster as dg
from pydantic import Field

from prometric_pipelines.lib.run_config import OrganizationsConfig, ops_run_config, organization_list

STOCK_OPS = ("stock_reconciliation",)


class StockReconciliationConfig(OrganizationsConfig):
    apply_adjustments: bool = Field(
        default=False,
        description="Take the physical count as the truth: post ADJUSTMENT movements for ledger_vs_inventory "
        "findings and set products' stock to the inventory sums (audited).",
    )
    full_pass: bool = Field(
        default=False,
        description="Read every movement and rebuild the sealed balances, instead of the sealed balances "
        "plus the movements after them (the default once an organization has been sealed).",
    )


def stock_run_config(
    organization_ids: Sequence[str] | None = None, *, apply_adjustments: bool = False, full_pass: bool = False
) -> dg.RunConfig:
    """stock_reconciliation_job's config (findings only and the sealed balances by default)."""
    config = StockReconciliationConfig(
        organization_ids=organization_list(organization_ids), apply_adjustments=apply_adjustments, full_pass=full_pass
    )
    return ops_run_config(STOCK_OPS, config)
