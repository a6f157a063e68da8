"""stock movements by (organization, product, warehouse): the reconciliation's per-pair lookups

`idx_stock_movements_org_product_warehouse` (organizationId, productId, warehouseId) on the ERP table
`stock_movements`, added by the platform for the stock reconciliation: a (warehouse, product) pair's
movements — a malformed or foreign ledger group expanded back to its movements, a pair a late movement
unsealed rebuilt from its last sealed month — in one index range instead of the product index's
entries filtered by warehouse (or a bitmap AND with the warehouse's). See docs/schema-notes.md.

Revision ID: 20261207001400
Revises: 20261207001000
Create Date: 2026-12-07 00:14:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "20261207001400"
down_revision: str | None = "20261207001000"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "idx_stock_movements_org_product_warehouse"


def upgrade() -> None:
    op.create_index(INDEX, "stock_movements", ["organizationId", "productId", "warehouseId"], unique=False)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="stock_movements")
