"""metrics skipped rows: the metrics job's data-quality findings, kept per organization, step and day

`metrics_skipped_rows` holds the ERP rows (and computed values) a metrics run left out, counted by
source table and reason: malformed rows (a NULL or unknown status or type, a NULL amount, an
impossible number of hours, a leave ending before it starts…), rows without an exchange rate, and
values that do not fit `metrics.value` NUMERIC(15,2) after rounding. A run replaces the rows of its
own step and window, so the table holds the latest run's findings of every day (docs/data-quality.md).
No foreign key into ERP tables (the generator truncates those); row-level security as on the
payroll tables: the jobs role reads and writes every tenant, the reader its organization.

Revision ID: 20261206200300
Revises: 20261205160000
Create Date: 2026-12-06 20:03:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261206200300"
down_revision: str | None = "20261205160000"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

READER = "prometric_reader"
JOBS = "prometric_jobs"
TABLE = "metrics_skipped_rows"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("step", sa.String(length=20), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("rows", sa.BigInteger(), nullable=False),
        sa.Column("runId", sa.String(length=64), nullable=True),
        sa.Column("createdAt", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f(f"{TABLE}_pkey")),
    )
    op.create_index("idx_metrics_skipped_rows_window", TABLE, ["organizationId", "step", "date"], unique=False)
    op.execute(f"ALTER TABLE {TABLE} ENABLE ROW LEVEL SECURITY")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {TABLE} TO {JOBS}")
    op.execute(f"CREATE POLICY jobs_all_tenants ON {TABLE} TO {JOBS} USING (true) WITH CHECK (true)")
    op.execute(f"GRANT SELECT ON {TABLE} TO {READER}")
    op.execute(
        f"CREATE POLICY reader_tenant ON {TABLE} FOR SELECT TO {READER} "
        f'USING ("organizationId" = (SELECT prometric_tenant_organization()))'
    )


def downgrade() -> None:
    op.execute(f"DROP POLICY IF EXISTS reader_tenant ON {TABLE}")
    op.execute(f"DROP POLICY IF EXISTS jobs_all_tenants ON {TABLE}")
    op.execute(f"REVOKE ALL ON {TABLE} FROM {READER}, {JOBS}")
    op.drop_index("idx_metrics_skipped_rows_window", table_name=TABLE)
    op.drop_table(TABLE)
