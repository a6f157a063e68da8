"""stock sealed balances: the reconciliation's ledger closed per month, unsealed by late movements

* `stock_sealed_periods`: the months an organization's ledger is sealed through (one row per
  organization and month, written by the reconciliation).
* `stock_sealed_balances`: per organization, sealed month and ledger group (warehouse, product, type,
  transfer ends) the cumulative sum of the group's movements up to the end of that month, its
  non-positive movements' ids and its movement count. A nightly run reads the latest month's rows
  and only the movements after it.
* `stock_seal_breaks`: (organization, warehouse, product, month) touched by a write to
  `stock_movements` whose `createdAt` lies before the current month: recorded by the statement-level
  trigger `stock_movements_seal_breaks` (INSERT, UPDATE — old and new rows — and DELETE) in the
  writer's own transaction, so a late movement is detected, never assumed. The next run unseals that
  month and every later one for the (organization, warehouse, product) and consumes the rows.
  `TRUNCATE stock_movements` (the generator's reload) empties all three tables.
* `prometric_uuid_array_cat(uuid[])`: an aggregate concatenating arrays (a group's non-positive
  movement ids from its sealed and open parts).
* `idx_stock_movements_org_created` (organizationId, createdAt): the nightly run's range of one
  organization's movements after its sealed month.

All three tables carry "organizationId": row-level security like their neighbours (jobs every tenant,
reader its organization). The trigger function is SECURITY DEFINER (owner): ERP writers need no grant
on the break table. See docs/stock.md and docs/schema-notes.md.

Revision ID: 20261207000400
Revises: 20261206201000
Create Date: 2026-12-07 00:04:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "20261207000400"
down_revision: str | None = "20261206201000"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

READER = "prometric_reader"
JOBS = "prometric_jobs"
TABLES = ("stock_sealed_periods", "stock_sealed_balances", "stock_seal_breaks")
JOBS_PRIVILEGES = {
    "stock_sealed_periods": "SELECT, INSERT, DELETE",
    "stock_sealed_balances": "SELECT, INSERT, DELETE",
    "stock_seal_breaks": "SELECT, DELETE",  # rows come from the trigger only
}


def _id() -> sa.Column:
    return sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "stock_sealed_periods",
        _id(),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("sealedAt", sa.DateTime(), nullable=False),
        sa.Column("runId", sa.UUID(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("stock_sealed_periods_pkey")),
        sa.UniqueConstraint("organizationId", "period", name=op.f("stock_sealed_periods_organizationId_period_key")),
    )
    op.create_table(
        "stock_sealed_balances",
        _id(),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("warehouseId", sa.UUID(), nullable=False),
        sa.Column("productId", sa.UUID(), nullable=False),
        sa.Column("type", sa.String(length=50), nullable=False),
        sa.Column("fromWarehouseId", sa.UUID(), nullable=True),
        sa.Column("toWarehouseId", sa.UUID(), nullable=True),
        sa.Column("quantity", sa.Numeric(), nullable=True),
        sa.Column("nonPositiveIds", postgresql.ARRAY(sa.UUID()), nullable=True),
        sa.Column("movements", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("stock_sealed_balances_pkey")),
    )
    op.create_index(
        "idx_stock_sealed_balances_org_period", "stock_sealed_balances", ["organizationId", "period"], unique=False
    )
    op.create_index(
        "idx_stock_sealed_balances_key",
        "stock_sealed_balances",
        ["organizationId", "warehouseId", "productId", "period"],
        unique=False,
    )
    op.create_table(
        "stock_seal_breaks",
        _id(),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("warehouseId", sa.UUID(), nullable=False),
        sa.Column("productId", sa.UUID(), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("recordedAt", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("stock_seal_breaks_pkey")),
    )
    op.create_index("idx_stock_seal_breaks_org", "stock_seal_breaks", ["organizationId"], unique=False)
    op.create_index("idx_stock_movements_org_created", "stock_movements", ["organizationId", "createdAt"], unique=False)
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"GRANT {JOBS_PRIVILEGES[table]} ON {table} TO {JOBS}")
        op.execute(f"CREATE POLICY jobs_all_tenants ON {table} TO {JOBS} USING (true) WITH CHECK (true)")
        op.execute(f"GRANT SELECT ON {table} TO {READER}")
        op.execute(
            f"CREATE POLICY reader_tenant ON {table} FOR SELECT TO {READER} "
            f'USING ("organizationId" = (SELECT prometric_tenant_organization()))'
        )

    # Concatenates the groups' arrays of non-positive movement ids (sealed part + open part).
    op.execute("""
        CREATE AGGREGATE prometric_uuid_array_cat(uuid[]) (
            SFUNC = array_cat, STYPE = uuid[], COMBINEFUNC = array_cat, PARALLEL = SAFE
        )
    """)
    # Only rows dated before the current month are recorded: the current month is never sealed (a run
    # seals through the month that ended two days before it), so everyday writes cost one filter.
    # The two days cover session time zones and a writer whose transaction spans a month's end.
    op.execute("""
        CREATE FUNCTION prometric_stock_seal_breaks() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        BEGIN
            -- an UPDATE touches its rows' old and new pairs, recorded once each
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
    """)
    op.execute("""
        CREATE TRIGGER stock_movements_seal_breaks_insert AFTER INSERT ON stock_movements
        REFERENCING NEW TABLE AS new_movements
        FOR EACH STATEMENT EXECUTE FUNCTION prometric_stock_seal_breaks()
    """)
    op.execute("""
        CREATE TRIGGER stock_movements_seal_breaks_update AFTER UPDATE ON stock_movements
        REFERENCING OLD TABLE AS old_movements NEW TABLE AS new_movements
        FOR EACH STATEMENT EXECUTE FUNCTION prometric_stock_seal_breaks()
    """)
    op.execute("""
        CREATE TRIGGER stock_movements_seal_breaks_delete AFTER DELETE ON stock_movements
        REFERENCING OLD TABLE AS old_movements
        FOR EACH STATEMENT EXECUTE FUNCTION prometric_stock_seal_breaks()
    """)
    # a reload of the ledger leaves nothing sealed
    op.execute("""
        CREATE FUNCTION prometric_stock_seals_truncated() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        BEGIN
            DELETE FROM stock_sealed_balances;
            DELETE FROM stock_sealed_periods;
            DELETE FROM stock_seal_breaks;
            RETURN NULL;
        END $$
    """)
    op.execute("""
        CREATE TRIGGER stock_movements_seals_truncated AFTER TRUNCATE ON stock_movements
        FOR EACH STATEMENT EXECUTE FUNCTION prometric_stock_seals_truncated()
    """)
    op.execute("REVOKE ALL ON FUNCTION prometric_stock_seal_breaks() FROM PUBLIC")
    op.execute("REVOKE ALL ON FUNCTION prometric_stock_seals_truncated() FROM PUBLIC")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS stock_movements_seals_truncated ON stock_movements")
    for event in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS stock_movements_seal_breaks_{event} ON stock_movements")
    op.execute("DROP FUNCTION IF EXISTS prometric_stock_seals_truncated()")
    op.execute("DROP AGGREGATE IF EXISTS prometric_uuid_array_cat(uuid[])")
    op.execute("DROP FUNCTION IF EXISTS prometric_stock_seal_breaks()")
    op.drop_index("idx_stock_movements_org_created", table_name="stock_movements")
    for table in reversed(TABLES):
        op.execute(f"DROP POLICY IF EXISTS reader_tenant ON {table}")
        op.execute(f"DROP POLICY IF EXISTS jobs_all_tenants ON {table}")
        op.execute(f"REVOKE ALL ON {table} FROM {READER}, {JOBS}")
    op.drop_index("idx_stock_seal_breaks_org", table_name="stock_seal_breaks")
    op.drop_table("stock_seal_breaks")
    op.drop_index("idx_stock_sealed_balances_key", table_name="stock_sealed_balances")
    op.drop_index("idx_stock_sealed_balances_org_period", table_name="stock_sealed_balances")
    op.drop_table("stock_sealed_balances")
    op.drop_table("stock_sealed_periods")
