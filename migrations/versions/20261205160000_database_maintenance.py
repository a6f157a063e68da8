"""database maintenance: hourly health snapshots (tables, indexes, long-running queries)

Platform tables written by the `database_health` asset (docs/maintenance.md). They describe the
whole database, not a tenant: no "organizationId". Row-level security is enabled as on every table;
the jobs role reads and writes them (the dashboards' owner-only admin page reads through it), the
reader role gets nothing (it reads tenant data only, docs/security.md).

Revision ID: 20261205160000
Revises: 20261125120500
Create Date: 2026-12-05 16:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261205160000"
down_revision: str | None = "20261125120500"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JOBS = "prometric_jobs"
TABLES = (
    "maintenance_health_snapshots",
    "maintenance_health_tables",
    "maintenance_health_indexes",
    "maintenance_health_queries",
)


def _snapshot_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["snapshotId"],
        ["maintenance_health_snapshots.id"],
        name=op.f(f"{table}_snapshotId_fkey"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "maintenance_health_snapshots",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("takenAt", sa.DateTime(), nullable=False),
        sa.Column("runKey", sa.Text(), nullable=False),
        sa.Column("serverVersion", sa.Text(), nullable=False),
        sa.Column("databaseName", sa.Text(), nullable=False),
        sa.Column("databaseBytes", sa.BigInteger(), nullable=False),
        sa.Column("connections", sa.Integer(), nullable=False),
        sa.Column("activeConnections", sa.Integer(), nullable=False),
        sa.Column("idleConnections", sa.Integer(), nullable=False),
        sa.Column("idleInTransactionConnections", sa.Integer(), nullable=False),
        sa.Column("serverConnections", sa.Integer(), nullable=False),
        sa.Column("maxConnections", sa.Integer(), nullable=False),
        sa.Column("longRunningSeconds", sa.Integer(), nullable=False),
        sa.Column("longRunningQueries", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("maintenance_health_snapshots_pkey")),
    )
    op.create_index("idx_maintenance_health_snapshots_taken", "maintenance_health_snapshots", ["takenAt"], unique=False)
    op.create_table(
        "maintenance_health_tables",
        sa.Column("snapshotId", sa.UUID(), nullable=False),
        sa.Column("schemaName", sa.Text(), nullable=False),
        sa.Column("tableName", sa.Text(), nullable=False),
        sa.Column("totalBytes", sa.BigInteger(), nullable=False),
        sa.Column("tableBytes", sa.BigInteger(), nullable=False),
        sa.Column("indexBytes", sa.BigInteger(), nullable=False),
        sa.Column("liveTuples", sa.BigInteger(), nullable=False),
        sa.Column("deadTuples", sa.BigInteger(), nullable=False),
        sa.Column("modificationsSinceAnalyze", sa.BigInteger(), nullable=False),
        sa.Column("seqScans", sa.BigInteger(), nullable=False),
        sa.Column("indexScans", sa.BigInteger(), nullable=True),
        sa.Column("lastVacuum", sa.DateTime(), nullable=True),
        sa.Column("lastAutovacuum", sa.DateTime(), nullable=True),
        sa.Column("lastAnalyze", sa.DateTime(), nullable=True),
        sa.Column("lastAutoanalyze", sa.DateTime(), nullable=True),
        _snapshot_fk("maintenance_health_tables"),
        sa.PrimaryKeyConstraint("snapshotId", "schemaName", "tableName", name=op.f("maintenance_health_tables_pkey")),
    )
    op.create_table(
        "maintenance_health_indexes",
        sa.Column("snapshotId", sa.UUID(), nullable=False),
        sa.Column("schemaName", sa.Text(), nullable=False),
        sa.Column("indexName", sa.Text(), nullable=False),
        sa.Column("tableName", sa.Text(), nullable=False),
        sa.Column("indexBytes", sa.BigInteger(), nullable=False),
        sa.Column("indexScans", sa.BigInteger(), nullable=False),
        sa.Column("tuplesRead", sa.BigInteger(), nullable=False),
        sa.Column("tuplesFetched", sa.BigInteger(), nullable=False),
        sa.Column("isUnique", sa.Boolean(), nullable=False),
        sa.Column("isPrimary", sa.Boolean(), nullable=False),
        sa.Column("isValid", sa.Boolean(), nullable=False),
        sa.Column("unused", sa.Boolean(), nullable=False),
        _snapshot_fk("maintenance_health_indexes"),
        sa.PrimaryKeyConstraint("snapshotId", "schemaName", "indexName", name=op.f("maintenance_health_indexes_pkey")),
    )
    op.create_table(
        "maintenance_health_queries",
        sa.Column("snapshotId", sa.UUID(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("userName", sa.Text(), nullable=True),
        sa.Column("applicationName", sa.Text(), nullable=True),
        sa.Column("state", sa.Text(), nullable=True),
        sa.Column("waitEventType", sa.Text(), nullable=True),
        sa.Column("waitEvent", sa.Text(), nullable=True),
        sa.Column("queryStart", sa.DateTime(), nullable=True),
        sa.Column("durationSeconds", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column("query", sa.Text(), nullable=True),
        _snapshot_fk("maintenance_health_queries"),
        sa.PrimaryKeyConstraint("snapshotId", "pid", name=op.f("maintenance_health_queries_pkey")),
    )
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {JOBS}")
        op.execute(f"CREATE POLICY jobs_all ON {table} TO {JOBS} USING (true) WITH CHECK (true)")


def downgrade() -> None:
    for table in reversed(TABLES):
        op.execute(f"DROP POLICY IF EXISTS jobs_all ON {table}")
        op.execute(f"REVOKE ALL ON {table} FROM {JOBS}")
    op.drop_table("maintenance_health_queries")
    op.drop_table("maintenance_health_indexes")
    op.drop_table("maintenance_health_tables")
    op.drop_index("idx_maintenance_health_snapshots_taken", table_name="maintenance_health_snapshots")
    op.drop_table("maintenance_health_snapshots")
