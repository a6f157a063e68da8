"""audit archive: manifests of archived audit-log files (hash-chained per organization), and the index archival reads

`audit_log_archives` holds one row per Parquet file the archival job wrote (docs/audit.md);
`idx_audit_logs_org_created` lets the job and the audit query read one organization's rows in time
order. Row-level security as on every table: `prometric_jobs` reads and writes all tenants, the
dashboards' `prometric_reader` sees its organization's manifests (the audit explorer reads them).

Revision ID: 20261125120400
Revises: 20261125120300
Create Date: 2026-11-25 12:04:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261125120400"
down_revision: str | None = "20261125120300"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

READER = "prometric_reader"
JOBS = "prometric_jobs"


def upgrade() -> None:
    op.create_table(
        "audit_log_archives",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organizationId", sa.UUID(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("rowCount", sa.BigInteger(), nullable=False),
        sa.Column("minCreatedAt", sa.DateTime(), nullable=False),
        sa.Column("maxCreatedAt", sa.DateTime(), nullable=False),
        sa.Column("fileSha256", sa.String(length=64), nullable=False),
        sa.Column("contentChecksum", sa.String(length=64), nullable=False),
        sa.Column("chainPosition", sa.Integer(), nullable=False),
        sa.Column("prevHash", sa.String(length=64), nullable=True),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("archivedAt", sa.DateTime(), nullable=False),
        sa.Column("runKey", sa.Text(), nullable=False),
        sa.Column("restoredAt", sa.DateTime(), nullable=True),
        sa.CheckConstraint("month BETWEEN 1 AND 12", name="audit_log_archives_month_check"),
        sa.CheckConstraint('"rowCount" > 0', name="audit_log_archives_row_count_check"),
        sa.CheckConstraint('"chainPosition" >= 1', name="audit_log_archives_chain_position_check"),
        sa.PrimaryKeyConstraint("id", name=op.f("audit_log_archives_pkey")),
        sa.UniqueConstraint("path", name=op.f("audit_log_archives_path_key")),
        sa.UniqueConstraint("prevHash", name=op.f("audit_log_archives_prevHash_key")),
        sa.UniqueConstraint("hash", name=op.f("audit_log_archives_hash_key")),
    )
    op.create_index(
        "idx_audit_log_archives_org_month", "audit_log_archives", ["organizationId", "year", "month"], unique=False
    )
    op.create_index("idx_audit_logs_org_created", "audit_logs", ["organizationId", "createdAt"], unique=False)

    op.execute("ALTER TABLE audit_log_archives ENABLE ROW LEVEL SECURITY")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON audit_log_archives TO {JOBS}")
    op.execute(f"CREATE POLICY jobs_all_tenants ON audit_log_archives TO {JOBS} USING (true) WITH CHECK (true)")
    op.execute(f"GRANT SELECT ON audit_log_archives TO {READER}")
    op.execute(
        f"CREATE POLICY reader_tenant ON audit_log_archives FOR SELECT TO {READER} "
        """USING ("organizationId" = (SELECT prometric_tenant_organization()))"""
    )


def downgrade() -> None:
    op.drop_index("idx_audit_logs_org_created", table_name="audit_logs")
    op.execute("DROP POLICY IF EXISTS reader_tenant ON audit_log_archives")
    op.execute("DROP POLICY IF EXISTS jobs_all_tenants ON audit_log_archives")
    op.execute(f"REVOKE ALL ON audit_log_archives FROM {READER}, {JOBS}")
    op.drop_index("idx_audit_log_archives_org_month", table_name="audit_log_archives")
    op.drop_table("audit_log_archives")
