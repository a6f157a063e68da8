"""stock movements by (organization, product, warehouse); late movements recorded as ledger deltas

`idx_stock_movements_org_product_warehouse` (organizationId, productId, warehouseId) on the ERP table
`stock_movements`, added by the platform for the stock reconciliation: a (warehouse, product) pair's
movements — a malformed or foreign ledger group expanded back to its movements — in one index range
instead of the product index's entries filtered by warehouse (or a bitmap AND with the warehouse's).

`stock_seal_breaks` records, besides (organization, warehouse, product, month), each late movement's
ledger group and contribution: its id, type, transfer ends, quantity and a sign (+1 the new row of an
INSERT or UPDATE, -1 the old row of an UPDATE or DELETE). The next reconciliation adds these deltas to
the sealed balances instead of re-reading the touched pairs' history. The break records and seals made
before this revision carry no delta: they are dropped, and each organization's next run is a full pass
that seals again. See docs/schema-notes.md.

Revision ID: 20261207001400
Revises: 20261207001300
Create Date: 2026-12-07 00:14:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "20261207001400"
down_revision: str | None = "20261207001300"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "idx_stock_movements_org_product_warehouse"
DELTA_COLUMNS = (
    ("movementId", "uuid"),
    ("type", "varchar(50)"),
    ("fromWarehouseId", "uuid"),
    ("toWarehouseId", "uuid"),
    ("quantity", "numeric(15,3)"),
    ("sign", "smallint"),
)
# Only rows dated before the current month are recorded (the current month is never sealed): everyday
# writes cost one filter. An UPDATE records its old row (-1) and its new row (+1).
RECORD_DELTAS = """
    CREATE OR REPLACE FUNCTION prometric_stock_seal_breaks() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            INSERT INTO stock_seal_breaks ("organizationId", "warehouseId", "productId", period, "movementId",
                                           type, "fromWarehouseId", "toWarehouseId", quantity, sign)
            SELECT o."organizationId", o."warehouseId", o."productId", CAST(date_trunc('month', o."createdAt") AS date),
                   o.id, o.type, o."fromWarehouseId", o."toWarehouseId", o.quantity, -1
            FROM old_movements AS o
            WHERE o."createdAt" < date_trunc('month', LOCALTIMESTAMP);
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN
            INSERT INTO stock_seal_breaks ("organizationId", "warehouseId", "productId", period, "movementId",
                                           type, "fromWarehouseId", "toWarehouseId", quantity, sign)
            SELECT n."organizationId", n."warehouseId", n."productId", CAST(date_trunc('month', n."createdAt") AS date),
                   n.id, n.type, n."fromWarehouseId", n."toWarehouseId", n.quantity, 1
            FROM new_movements AS n
            WHERE n."createdAt" < date_trunc('month', LOCALTIMESTAMP);
        END IF;
        RETURN NULL;
    END $$
"""
# The function of 20261207000400: one row per touched (organization, warehouse, product, month).
RECORD_PAIRS = """
    CREATE OR REPLACE FUNCTION prometric_stock_seal_breaks() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO stock_seal_breaks ("organizationId", "warehouseId", "productId", period)
            SELECT DISTINCT n."organizationId", n."warehouseId", n."productId",
                   CAST(date_trunc('month', n."createdAt") AS date)
            FROM new_movements AS n
            WHERE n."createdAt" < date_trunc('month', LOCALTIMESTAMP);
        ELSIF TG_OP = 'DELETE' THEN
            INSERT INTO stock_seal_breaks ("organizationId", "warehouseId", "productId", period)
            SELECT DISTINCT o."organizationId", o."warehouseId", o."productId",
                   CAST(date_trunc('month', o."createdAt") AS date)
            FROM old_movements AS o
            WHERE o."createdAt" < date_trunc('month', LOCALTIMESTAMP);
        ELSE
            INSERT INTO stock_seal_breaks ("organizationId", "warehouseId", "productId", period)
            SELECT o."organizationId", o."warehouseId", o."productId",
                   CAST(date_trunc('month', o."createdAt") AS date)
            FROM old_movements AS o
            WHERE o."createdAt" < date_trunc('month', LOCALTIMESTAMP)
            UNION
            SELECT n."organizationId", n."warehouseId", n."productId",
                   CAST(date_trunc('month', n."createdAt") AS date)
            FROM new_movements AS n
            WHERE n."createdAt" < date_trunc('month', LOCALTIMESTAMP);
        END IF;
        RETURN NULL;
    END $$
"""


def _drop_seals() -> None:
    """The next run of every organization is a full pass that seals again."""
    for table in ("stock_seal_breaks", "stock_sealed_balances", "stock_sealed_periods"):
        op.execute(f"DELETE FROM {table}")


def upgrade() -> None:
    op.create_index(INDEX, "stock_movements", ["organizationId", "productId", "warehouseId"], unique=False)
    _drop_seals()
    op.execute(
        "ALTER TABLE stock_seal_breaks " + ", ".join(f'ADD COLUMN "{name}" {kind}' for name, kind in DELTA_COLUMNS)
    )
    op.execute(RECORD_DELTAS)


def downgrade() -> None:
    op.execute(RECORD_PAIRS)
    _drop_seals()
    op.execute("ALTER TABLE stock_seal_breaks " + ", ".join(f'DROP COLUMN "{name}"' for name, _ in DELTA_COLUMNS))
    op.drop_index(INDEX, table_name="stock_movements")
