"""payroll runs: breakdown lines (payroll_items), skip reasons (payroll_skips), payroll window index

`payroll_items` holds every earning, withholding, tax and employer contribution of a `payroll` row;
`payroll_skips` the employees a run could not pay and why. Both get row-level security like the
ERP tables (jobs: every tenant; reader: its organization). `payroll` itself already has the seed's
`unique_payroll_period (employeeId, year, month)` (an employee belongs to one organization, so it
is unique per organization too); a run reads and writes one organization's month, hence
`idx_payroll_org_period`. See docs/payroll.md and docs/schema-notes.md.

Revision ID: 20261125120200
Revises: 20261125120100
Create Date: 2026-11-25 12:02:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "20261125120200"
down_revision: str | None = "20261125120100"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

READER = "prometric_reader"
JOBS = "prometric_jobs"
TABLES = ("payroll_items", "payroll_skips")


def upgrade() -> None:
    op.create_table(
        "payroll_items",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("payrollId", sa.UUID(), nullable=False),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("base", sa.Numeric(precision=15, scale=2), nullable=True),
        sa.Column("rate", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("amount", sa.Numeric(precision=15, scale=2), nullable=False),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.CheckConstraint(
            "kind IN ('earning', 'withholding', 'tax', 'employer')", name=op.f("payroll_items_kind_check")
        ),
        # organizationId mirrors the payroll row's (row-level security); the payroll foreign key covers it
        sa.ForeignKeyConstraint(
            ["payrollId"], ["payroll.id"], name=op.f("payroll_items_payrollId_fkey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("payroll_items_pkey")),
        sa.UniqueConstraint("payrollId", "code", name=op.f("payroll_items_payrollId_code_key")),
    )
    op.create_table(
        "payroll_skips",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("employeeId", sa.UUID(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("createdAt", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=True),
        sa.ForeignKeyConstraint(
            ["employeeId"], ["employees.id"], name=op.f("payroll_skips_employeeId_fkey"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organizationId"], ["organizations.id"], name=op.f("payroll_skips_organizationId_fkey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("payroll_skips_pkey")),
        sa.UniqueConstraint("employeeId", "year", "month", name=op.f("payroll_skips_employeeId_year_month_key")),
    )
    op.create_index("idx_payroll_skips_org_period", "payroll_skips", ["organizationId", "year", "month"], unique=False)
    op.create_index("idx_payroll_org_period", "payroll", ["organizationId", "year", "month"], unique=False)

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
    for table in TABLES:
        op.execute(f"DROP POLICY IF EXISTS reader_tenant ON {table}")
        op.execute(f"DROP POLICY IF EXISTS jobs_all_tenants ON {table}")
        op.execute(f"REVOKE ALL ON {table} FROM {READER}, {JOBS}")
    op.drop_index("idx_payroll_org_period", table_name="payroll")
    op.drop_index("idx_payroll_skips_org_period", table_name="payroll_skips")
    op.drop_table("payroll_skips")
    op.drop_table("payroll_items")
