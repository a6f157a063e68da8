"""payroll input digests: what each employee's payroll row of a month was computed from; payroll fillfactor 50

`payroll_input_digests` holds, per organization, month and employee the digest of every input the
payroll run read for that employee (salary fields, personalInfo flags, the month's attendance and
leave summary, the year to date, and the organization's calendar, settings and the year's rates) and
the id of the row computed from them (NULL: the employee was skipped). A re-run compares today's
digests with these in one statement and recomputes only the employees whose inputs differ, who are
new or who are gone. No foreign keys (a first run writes one record per employee: no check per
record; a record whose row or employee is gone is found by the comparison). Row-level security like
its neighbours: jobs every tenant, the maintenance login reads; the dashboards never read it.

`payroll` gets `fillfactor = 50`: approve and mark-paid change every row of a month; with half of
each page free the new version fits next to the old one and the update is HOT (no entry in any of
the table's eight indexes): the status update of 100,000 rows took 0.5–0.7 s instead of 4.8–5.4 s.
Rows written from now on follow it; existing pages are repacked only by a table rewrite
(`VACUUM FULL payroll`), left to the operator. See docs/payroll.md and docs/schema-notes.md.

Revision ID: 20261207001300
Revises: 20261207001200
Create Date: 2026-12-07 00:13:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261207001300"
down_revision: str | None = "20261207001200"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JOBS = "prometric_jobs"
MAINTENANCE = "prometric_maintenance"
TABLE = "payroll_input_digests"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("employeeId", sa.UUID(), nullable=False),
        sa.Column("inputsDigest", sa.BigInteger(), nullable=False),
        sa.Column("payrollId", sa.UUID(), nullable=True),
        sa.PrimaryKeyConstraint(
            "organizationId", "year", "month", "employeeId", name=op.f("payroll_input_digests_pkey")
        ),
    )
    op.execute(f"ALTER TABLE {TABLE} ENABLE ROW LEVEL SECURITY")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {TABLE} TO {JOBS}")
    op.execute(f"CREATE POLICY jobs_all_tenants ON {TABLE} TO {JOBS} USING (true) WITH CHECK (true)")
    op.execute(f"GRANT SELECT ON {TABLE} TO {MAINTENANCE}")
    op.execute(f"CREATE POLICY maintenance_read ON {TABLE} FOR SELECT TO {MAINTENANCE} USING (true)")
    op.execute("ALTER TABLE payroll SET (fillfactor = 50)")


def downgrade() -> None:
    op.execute("ALTER TABLE payroll RESET (fillfactor)")
    op.execute(f"DROP POLICY IF EXISTS maintenance_read ON {TABLE}")
    op.execute(f"DROP POLICY IF EXISTS jobs_all_tenants ON {TABLE}")
    op.drop_table(TABLE)
