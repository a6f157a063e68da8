"""stock reconciliation: runs and findings (platform tables), with row-level security

`stock_reconciliation_runs` (one row per organization and run date) and `stock_discrepancies` (its
findings), written by prometric_pipelines/stock/ (docs/stock.md). Both carry "organizationId" and
are read by the dashboards, so the reader sees its tenant's rows only; the jobs role reads and
writes every tenant, like the ERP tables (see 20261125104032). They have no foreign keys into ERP
tables: the generator truncates those and drops their keys for a bulk load (see db/schema.py).

Revision ID: 20261125120300
Revises: 20261125120200
Create Date: 2026-11-25 12:03:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "20261125120300"
down_revision: str | None = "20261125120200"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

READER = "prometric_reader"
JOBS = "prometric_jobs"
TABLES = ("stock_reconciliation_runs", "stock_discrepancies")


def upgrade() -> None:
    op.create_table(
        "stock_reconciliation_runs",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("runKey", sa.String(length=64), nullable=False),
        sa.Column("runDate", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("applied", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("startedAt", sa.DateTime(), nullable=False),
        sa.Column("finishedAt", sa.DateTime(), nullable=True),
        sa.Column(
            "summary", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("stock_reconciliation_runs_pkey")),
        sa.UniqueConstraint(
            "organizationId", "runDate", name=op.f("stock_reconciliation_runs_organizationId_runDate_key")
        ),
    )
    op.create_index("idx_stock_reconciliation_runs_date", "stock_reconciliation_runs", ["runDate"], unique=False)
    op.create_table(
        "stock_discrepancies",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("runId", sa.UUID(), nullable=False),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("workspaceId", sa.UUID(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("warehouseId", sa.UUID(), nullable=True),
        sa.Column("productId", sa.UUID(), nullable=True),
        sa.Column("referenceId", sa.UUID(), nullable=True),
        sa.Column("expected", sa.Numeric(precision=15, scale=3), nullable=True),
        sa.Column("actual", sa.Numeric(precision=15, scale=3), nullable=True),
        sa.Column("difference", sa.Numeric(precision=15, scale=3), nullable=True),
        sa.Column("valueImpact", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column(
            "details", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("createdAt", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=True),
        sa.ForeignKeyConstraint(
            ["runId"],
            ["stock_reconciliation_runs.id"],
            name=op.f("stock_discrepancies_runId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("stock_discrepancies_pkey")),
    )
    op.create_index("idx_stock_discrepancies_run", "stock_discrepancies", ["runId"], unique=False)
    op.create_index("idx_stock_discrepancies_org_kind", "stock_discrepancies", ["organizationId", "kind"], unique=False)

    # The reconciliation's pass groups an organization's movements by these columns (a few thousand
    # groups). Without multi-column statistics the planner multiplies the columns' distinct counts,
    # expects ~one group per movement and sorts a million rows instead of hashing: 3-4x slower
    # (docs/stock.md, Performance). ANALYZE (autovacuum, the generator) fills it.
    op.execute(
        "CREATE STATISTICS stock_movements_reconciliation_groups (ndistinct) "
        'ON "organizationId", "warehouseId", "productId", type, "fromWarehouseId", "toWarehouseId" '
        "FROM stock_movements"
    )
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {JOBS}")
        op.execute(f"CREATE POLICY jobs_all_tenants ON {table} TO {JOBS} USING (true) WITH CHECK (true)")
        op.execute(f"GRANT SELECT ON {table} TO {READER}")
        op.execute(
            f"CREATE POLICY reader_tenant ON {table} FOR SELECT TO {READER} "
            f'USING ("organizationId" = (SELECT prometric_tenant_organization()))'
        )


def downgrade() -> None:
    op.execute("DROP STATISTICS IF EXISTS stock_movements_reconciliation_groups")
    for table in reversed(TABLES):
        op.execute(f"DROP POLICY IF EXISTS reader_tenant ON {table}")
        op.execute(f"DROP POLICY IF EXISTS jobs_all_tenants ON {table}")
        op.execute(f"REVOKE ALL ON {table} FROM {READER}, {JOBS}")
    op.drop_index("idx_stock_discrepancies_org_kind", table_name="stock_discrepancies")
    op.drop_index("idx_stock_discrepancies_run", table_name="stock_discrepancies")
    op.drop_table("stock_discrepancies")
    op.drop_index("idx_stock_reconciliation_runs_date", table_name="stock_reconciliation_runs")
    op.drop_table("stock_reconciliation_runs")
