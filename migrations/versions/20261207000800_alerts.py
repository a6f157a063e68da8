"""alerts: one platform table for anomaly, KPI-target, freshness and run-failure alerts, their deliveries,
and acknowledgement from the dashboards

* `alerts`: one row per (organization, workspace — NULL for organization-wide alerts, kind, subject, day);
  re-runs upsert on that key (two partial unique indexes: PostgreSQL 14 has no NULLS NOT DISTINCT).
  The reader sees the tenant session's organization, narrowed to its workspaces (organization-wide
  alerts stay visible), and only with HR level `all` (owners and managers; the alerts name revenue and
  cash figures an employee or investor viewer may not see). The jobs login reads and writes every tenant.
* `alert_deliveries`: what was delivered to whom and how (in-app, e-mail), so a re-run sends nothing twice.
  The reader sees the deliveries of the alerts it sees.
* `prometric_acknowledge_alert(alert_id, user_id)`: the reader is SELECT-only, so acknowledging goes
  through this definer function. It acts only on an alert of the verified tenant session's organization
  (and workspaces), only for the session's own viewer, and only when that user is an owner or manager of
  the organization (its creator, an employee with organizationRole owner/manager, or a workspace
  admin/manager). Returns whether the alert is acknowledged after the call.

See docs/alerts.md.

Revision ID: 20261207000800
Revises: 20261207000500
Create Date: 2026-12-07 00:08:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "20261207000800"
down_revision: str | None = "20261207000500"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

READER = "prometric_reader"
JOBS = "prometric_jobs"

ORG = "(SELECT prometric_tenant_organization())"
ACCESS = "(SELECT prometric_tenant_hr_access())"
WORKSPACES = "(SELECT prometric_tenant_workspaces())"

KINDS = ("anomaly", "kpi_target", "freshness", "run_failure")
SEVERITIES = ("info", "warning", "severe")
CHANNELS = ("in_app", "email")


def _schema() -> str:
    return op.get_bind().execute(sa.text("SELECT quote_ident(current_schema())")).scalar_one()


def _in(values: Sequence[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def upgrade() -> None:
    schema = _schema()
    op.create_table(
        "alerts",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("workspaceId", sa.UUID(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("value", sa.Numeric(), nullable=True),
        sa.Column("baseline", sa.Numeric(), nullable=True),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("explanationRu", sa.Text(), nullable=False),
        sa.Column(
            "details", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column("createdAt", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.Column("updatedAt", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.Column("acknowledgedBy", sa.UUID(), nullable=True),
        sa.Column("acknowledgedAt", sa.DateTime(), nullable=True),
        sa.CheckConstraint(f"kind IN ({_in(KINDS)})", name=op.f("alerts_kind_check")),
        sa.CheckConstraint(f"severity IN ({_in(SEVERITIES)})", name=op.f("alerts_severity_check")),
        sa.ForeignKeyConstraint(
            ["organizationId"], ["organizations.id"], name=op.f("alerts_organizationId_fkey"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspaceId"], ["workspaces.id"], name=op.f("alerts_workspaceId_fkey"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["acknowledgedBy"], ["users.id"], name=op.f("alerts_acknowledgedBy_fkey"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("alerts_pkey")),
    )
    op.create_index(
        "alerts_workspace_key",
        "alerts",
        ["organizationId", "workspaceId", "kind", "subject", "day"],
        unique=True,
        postgresql_where=sa.text('"workspaceId" IS NOT NULL'),
    )
    op.create_index(
        "alerts_organization_key",
        "alerts",
        ["organizationId", "kind", "subject", "day"],
        unique=True,
        postgresql_where=sa.text('"workspaceId" IS NULL'),
    )
    op.create_index("idx_alerts_org_day", "alerts", ["organizationId", "day"], unique=False)

    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("alertId", sa.UUID(), nullable=False),
        sa.Column("userId", sa.UUID(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("notificationId", sa.UUID(), nullable=True),
        sa.Column("deliveredAt", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.CheckConstraint(f"channel IN ({_in(CHANNELS)})", name=op.f("alert_deliveries_channel_check")),
        sa.ForeignKeyConstraint(
            ["organizationId"],
            ["organizations.id"],
            name=op.f("alert_deliveries_organizationId_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["alertId"], ["alerts.id"], name=op.f("alert_deliveries_alertId_fkey"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["userId"], ["users.id"], name=op.f("alert_deliveries_userId_fkey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("alert_deliveries_pkey")),
        sa.UniqueConstraint("alertId", "userId", "channel", name=op.f("alert_deliveries_alertId_userId_channel_key")),
    )
    op.create_index("idx_alert_deliveries_user", "alert_deliveries", ["userId", "deliveredAt"], unique=False)

    for table in ("alerts", "alert_deliveries"):
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {JOBS}")
        op.execute(f"CREATE POLICY jobs_all_tenants ON {table} TO {JOBS} USING (true) WITH CHECK (true)")
    op.execute(f"GRANT SELECT ON alerts, alert_deliveries TO {READER}")
    op.execute(
        f"CREATE POLICY reader_tenant ON alerts FOR SELECT TO {READER} USING ("
        f'"organizationId" = {ORG}'
        f' AND ("workspaceId" IS NULL OR {WORKSPACES} IS NULL OR "workspaceId" = ANY ({WORKSPACES}::uuid[]))'
        f" AND {ACCESS} = 'all')"
    )
    # who was told about an alert (the Alerts page may show it): the alerts' readers, for the alerts they see
    op.execute(
        f"CREATE POLICY reader_tenant ON alert_deliveries FOR SELECT TO {READER} USING ("
        f"\"organizationId\" = {ORG} AND {ACCESS} = 'all'"
        ' AND EXISTS (SELECT 1 FROM alerts a WHERE a.id = alert_deliveries."alertId"))'
    )

    # Acknowledge as the signed-in viewer: the alert must be one the session may see, the user the
    # session's viewer and an owner or manager of the organization (dashboards/lib/access.py's roles).
    op.execute(f"""
        CREATE FUNCTION prometric_acknowledge_alert(alert_id uuid, user_id uuid) RETURNS boolean
        LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
        DECLARE
            organization uuid := {schema}.prometric_tenant_organization();
            workspaces uuid[] := {schema}.prometric_tenant_workspaces();
        BEGIN
            IF organization IS NULL OR user_id IS NULL OR alert_id IS NULL
               OR {schema}.prometric_tenant_viewer_user() IS DISTINCT FROM user_id THEN
                RETURN false;
            END IF;
            IF NOT (
                EXISTS (SELECT 1 FROM {schema}.organizations o
                        WHERE o.id = organization AND o."createdBy" = user_id AND o."deletedAt" IS NULL)
                OR EXISTS (SELECT 1 FROM {schema}.employees e
                           WHERE e."organizationId" = organization AND e."userId" = user_id
                             AND e."deletedAt" IS NULL AND lower(e."organizationRole") IN ('owner', 'manager'))
                OR EXISTS (SELECT 1 FROM {schema}.workspace_users wu
                           JOIN {schema}.workspaces w ON w.id = wu."workspaceId"
                           WHERE w."organizationId" = organization AND wu."userId" = user_id
                             AND wu."isActive" AND w."deletedAt" IS NULL
                             AND lower(wu.role) IN ('admin', 'manager'))
            ) THEN
                RETURN false;
            END IF;
            UPDATE {schema}.alerts a
            SET "acknowledgedBy" = user_id,
                "acknowledgedAt" = (clock_timestamp() AT TIME ZONE 'UTC')::timestamp,
                "updatedAt" = (clock_timestamp() AT TIME ZONE 'UTC')::timestamp
            WHERE a.id = alert_id AND a."organizationId" = organization AND a."acknowledgedAt" IS NULL
              AND (a."workspaceId" IS NULL OR workspaces IS NULL OR a."workspaceId" = ANY (workspaces));
            RETURN EXISTS (
                SELECT 1 FROM {schema}.alerts a
                WHERE a.id = alert_id AND a."organizationId" = organization AND a."acknowledgedAt" IS NOT NULL
                  AND (a."workspaceId" IS NULL OR workspaces IS NULL OR a."workspaceId" = ANY (workspaces)));
        END $$""")
    op.execute("REVOKE ALL ON FUNCTION prometric_acknowledge_alert(uuid, uuid) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION prometric_acknowledge_alert(uuid, uuid) TO {READER}")


def downgrade() -> None:
    op.execute("DROP FUNCTION prometric_acknowledge_alert(uuid, uuid)")
    for table in ("alert_deliveries", "alerts"):
        op.execute(f"DROP POLICY IF EXISTS reader_tenant ON {table}")
        op.execute(f"DROP POLICY IF EXISTS jobs_all_tenants ON {table}")
        op.execute(f"REVOKE ALL ON {table} FROM {READER}, {JOBS}")
    op.drop_index("idx_alert_deliveries_user", table_name="alert_deliveries")
    op.drop_table("alert_deliveries")
    op.drop_index("idx_alerts_org_day", table_name="alerts")
    op.drop_index("alerts_organization_key", table_name="alerts")
    op.drop_index("alerts_workspace_key", table_name="alerts")
    op.drop_table("alerts")
