"""operational schema baseline: the seed's 38 tables plus projects (see docs/schema-notes.md)

Revision ID: 20261125094731
Revises:
Create Date: 2026-11-25 09:47:31.924789+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "20261125094731"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("password", sa.String(length=255), nullable=False),
        sa.Column("firstName", sa.String(length=100), nullable=True),
        sa.Column("lastName", sa.String(length=100), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column(
            "role",
            sa.String(length=50),
            server_default=sa.text("'employee'"),
            nullable=True,
        ),
        sa.Column(
            "status",
            sa.String(length=50),
            server_default=sa.text("'pending'"),
            nullable=True,
        ),
        sa.Column(
            "registrationStatus",
            sa.String(length=50),
            server_default=sa.text("'pending'"),
            nullable=True,
        ),
        sa.Column(
            "emailVerified",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=True,
        ),
        sa.Column("isVerified", sa.Boolean(), server_default=sa.text("false"), nullable=True),
        sa.Column("isActive", sa.Boolean(), server_default=sa.text("true"), nullable=True),
        sa.Column(
            "onboardingCompleted",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=True,
        ),
        sa.Column("lastLoginAt", sa.DateTime(), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updatedAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column("deletedAt", sa.DateTime(), nullable=True),
        sa.CheckConstraint("role IN ('owner', 'manager', 'employee', 'investor')", name="check_role"),
        sa.PrimaryKeyConstraint("id", name=op.f("users_pkey")),
        sa.UniqueConstraint("email", name=op.f("users_email_key")),
    )
    op.create_table(
        "email_verifications",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("userId", sa.UUID(), nullable=True),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("token", sa.String(length=255), nullable=True),
        sa.Column("type", sa.String(length=50), nullable=True),
        sa.Column("expiresAt", sa.DateTime(), nullable=False),
        sa.Column("verifiedAt", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["userId"],
            ["users.id"],
            name=op.f("email_verifications_userId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("email_verifications_pkey")),
        sa.UniqueConstraint("token", name=op.f("email_verifications_token_key")),
    )
    op.create_index("idx_email_verifications_email", "email_verifications", ["email"], unique=False)
    op.create_index("idx_email_verifications_token", "email_verifications", ["token"], unique=False)
    op.create_table(
        "notifications",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("userId", sa.UUID(), nullable=False),
        sa.Column("type", sa.String(length=50), nullable=False),
        sa.Column("category", sa.String(length=50), nullable=True),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("isRead", sa.Boolean(), server_default=sa.text("false"), nullable=True),
        sa.Column("readAt", sa.DateTime(), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["userId"],
            ["users.id"],
            name=op.f("notifications_userId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("notifications_pkey")),
    )
    op.create_index("idx_notifications_created", "notifications", ["createdAt"], unique=False)
    op.create_index("idx_notifications_read", "notifications", ["isRead"], unique=False)
    op.create_index("idx_notifications_user", "notifications", ["userId"], unique=False)
    op.create_table(
        "organizations",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("bin", sa.String(length=12), nullable=False),
        sa.Column(
            "type",
            sa.String(length=50),
            server_default=sa.text("'COMPANY'"),
            nullable=True,
        ),
        sa.Column("industry", sa.String(length=100), nullable=True),
        sa.Column("size", sa.String(length=50), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("website", sa.String(length=255), nullable=True),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("address", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("settings", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("logo", sa.String(length=500), nullable=True),
        sa.Column("isActive", sa.Boolean(), server_default=sa.text("true"), nullable=True),
        sa.Column("createdBy", sa.UUID(), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updatedAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column("deletedAt", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["createdBy"], ["users.id"], name=op.f("organizations_createdBy_fkey")),
        sa.PrimaryKeyConstraint("id", name=op.f("organizations_pkey")),
        sa.UniqueConstraint("bin", name=op.f("organizations_bin_key")),
    )
    op.create_index("idx_organizations_bin", "organizations", ["bin"], unique=False)
    op.create_index("idx_organizations_name", "organizations", ["name"], unique=False)
    op.create_table(
        "refresh_tokens",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("userId", sa.UUID(), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("deviceInfo", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("ipAddress", sa.String(length=45), nullable=True),
        sa.Column("userAgent", sa.Text(), nullable=True),
        sa.Column("expiresAt", sa.DateTime(), nullable=False),
        sa.Column("revokedAt", sa.DateTime(), nullable=True),
        sa.Column("revokedReason", sa.String(length=255), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["userId"],
            ["users.id"],
            name=op.f("refresh_tokens_userId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("refresh_tokens_pkey")),
        sa.UniqueConstraint("token", name=op.f("refresh_tokens_token_key")),
    )
    op.create_index("idx_refresh_tokens_token", "refresh_tokens", ["token"], unique=False)
    op.create_index("idx_refresh_tokens_user", "refresh_tokens", ["userId"], unique=False)
    op.create_table(
        "audit_logs",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organizationId", sa.UUID(), nullable=True),
        sa.Column("userId", sa.UUID(), nullable=True),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("entity", sa.String(length=100), nullable=False),
        sa.Column("entityId", sa.UUID(), nullable=True),
        sa.Column("oldValue", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("newValue", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("ipAddress", sa.String(length=45), nullable=True),
        sa.Column("userAgent", sa.Text(), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["organizationId"],
            ["organizations.id"],
            name=op.f("audit_logs_organizationId_fkey"),
        ),
        sa.ForeignKeyConstraint(["userId"], ["users.id"], name=op.f("audit_logs_userId_fkey")),
        sa.PrimaryKeyConstraint("id", name=op.f("audit_logs_pkey")),
    )
    op.create_index("idx_audit_logs_action", "audit_logs", ["action"], unique=False)
    op.create_index("idx_audit_logs_created", "audit_logs", ["createdAt"], unique=False)
    op.create_index("idx_audit_logs_entity", "audit_logs", ["entity", "entityId"], unique=False)
    op.create_index("idx_audit_logs_org", "audit_logs", ["organizationId"], unique=False)
    op.create_index("idx_audit_logs_user", "audit_logs", ["userId"], unique=False)
    op.create_table(
        "kpi_definitions",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("formula", sa.Text(), nullable=True),
        sa.Column("unit", sa.String(length=50), nullable=True),
        sa.Column("targetValue", sa.Numeric(precision=15, scale=2), nullable=True),
        sa.Column("frequency", sa.String(length=50), nullable=True),
        sa.Column("category", sa.String(length=100), nullable=True),
        sa.Column("isActive", sa.Boolean(), server_default=sa.text("true"), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updatedAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["organizationId"],
            ["organizations.id"],
            name=op.f("kpi_definitions_organizationId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("kpi_definitions_pkey")),
    )
    op.create_index("idx_kpi_definitions_org", "kpi_definitions", ["organizationId"], unique=False)
    op.create_table(
        "product_categories",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("parentId", sa.UUID(), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("image", sa.String(length=500), nullable=True),
        sa.Column("sortOrder", sa.Integer(), server_default=sa.text("0"), nullable=True),
        sa.Column("isActive", sa.Boolean(), server_default=sa.text("true"), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updatedAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["organizationId"],
            ["organizations.id"],
            name=op.f("product_categories_organizationId_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parentId"],
            ["product_categories.id"],
            name=op.f("product_categories_parentId_fkey"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("product_categories_pkey")),
    )
    op.create_index(
        "idx_product_categories_org",
        "product_categories",
        ["organizationId"],
        unique=False,
    )
    op.create_index(
        "idx_product_categories_parent",
        "product_categories",
        ["parentId"],
        unique=False,
    )
    op.create_table(
        "workspaces",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column(
            "type",
            sa.String(length=50),
            server_default=sa.text("'main'"),
            nullable=True,
        ),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("settings", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("isActive", sa.Boolean(), server_default=sa.text("true"), nullable=True),
        sa.Column("isDefault", sa.Boolean(), server_default=sa.text("false"), nullable=True),
        sa.Column("createdBy", sa.UUID(), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updatedAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column("deletedAt", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["createdBy"], ["users.id"], name=op.f("workspaces_createdBy_fkey")),
        sa.ForeignKeyConstraint(
            ["organizationId"],
            ["organizations.id"],
            name=op.f("workspaces_organizationId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("workspaces_pkey")),
    )
    op.create_index("idx_workspaces_org", "workspaces", ["organizationId"], unique=False)
    op.create_index(
        "unique_default_workspace",
        "workspaces",
        ["organizationId", "isDefault"],
        unique=True,
        postgresql_where=sa.text('"isDefault"'),
    )
    op.create_table(
        "calendar_events",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("workspaceId", sa.UUID(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "type",
            sa.String(length=50),
            server_default=sa.text("'EVENT'"),
            nullable=True,
        ),
        sa.Column("location", sa.String(length=255), nullable=True),
        sa.Column("startTime", sa.DateTime(), nullable=False),
        sa.Column("endTime", sa.DateTime(), nullable=False),
        sa.Column("allDay", sa.Boolean(), server_default=sa.text("false"), nullable=True),
        sa.Column("recurrence", sa.String(length=50), nullable=True),
        sa.Column("recurrenceEnd", sa.Date(), nullable=True),
        sa.Column("attendees", postgresql.ARRAY(sa.UUID()), nullable=True),
        sa.Column("reminders", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("color", sa.String(length=7), nullable=True),
        sa.Column(
            "status",
            sa.String(length=50),
            server_default=sa.text("'CONFIRMED'"),
            nullable=True,
        ),
        sa.Column("createdBy", sa.UUID(), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updatedAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(["createdBy"], ["users.id"], name=op.f("calendar_events_createdBy_fkey")),
        sa.ForeignKeyConstraint(
            ["organizationId"],
            ["organizations.id"],
            name=op.f("calendar_events_organizationId_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspaceId"],
            ["workspaces.id"],
            name=op.f("calendar_events_workspaceId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("calendar_events_pkey")),
    )
    op.create_index("idx_calendar_events_org", "calendar_events", ["organizationId"], unique=False)
    op.create_index("idx_calendar_events_start", "calendar_events", ["startTime"], unique=False)
    op.create_index("idx_calendar_events_type", "calendar_events", ["type"], unique=False)
    op.create_index(
        "idx_calendar_events_workspace",
        "calendar_events",
        ["workspaceId"],
        unique=False,
    )
    op.create_table(
        "customers",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("workspaceId", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column(
            "type",
            sa.String(length=50),
            server_default=sa.text("'COMPANY'"),
            nullable=True,
        ),
        sa.Column("bin", sa.String(length=12), nullable=True),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("website", sa.String(length=255), nullable=True),
        sa.Column("industry", sa.String(length=100), nullable=True),
        sa.Column("size", sa.String(length=50), nullable=True),
        sa.Column("rating", sa.Integer(), server_default=sa.text("0"), nullable=True),
        sa.Column(
            "status",
            sa.String(length=50),
            server_default=sa.text("'active'"),
            nullable=True,
        ),
        sa.Column("tags", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("address", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("billingAddress", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("shippingAddress", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "contacts",
            postgresql.ARRAY(postgresql.JSONB(astext_type=sa.Text())),
            nullable=True,
        ),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("creditLimit", sa.Numeric(precision=15, scale=2), nullable=True),
        sa.Column(
            "balance",
            sa.Numeric(precision=15, scale=2),
            server_default=sa.text("0"),
            nullable=True,
        ),
        sa.Column(
            "totalPurchases",
            sa.Numeric(precision=15, scale=2),
            server_default=sa.text("0"),
            nullable=True,
        ),
        sa.Column("lastContactDate", sa.DateTime(), nullable=True),
        sa.Column("assignedTo", sa.UUID(), nullable=True),
        sa.Column("createdBy", sa.UUID(), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updatedAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column("deletedAt", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["assignedTo"], ["users.id"], name=op.f("customers_assignedTo_fkey")),
        sa.ForeignKeyConstraint(["createdBy"], ["users.id"], name=op.f("customers_createdBy_fkey")),
        sa.ForeignKeyConstraint(
            ["organizationId"],
            ["organizations.id"],
            name=op.f("customers_organizationId_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspaceId"],
            ["workspaces.id"],
            name=op.f("customers_workspaceId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("customers_pkey")),
    )
    op.create_index("idx_customers_assigned", "customers", ["assignedTo"], unique=False)
    op.create_index("idx_customers_bin", "customers", ["bin"], unique=False)
    op.create_index("idx_customers_name", "customers", ["name"], unique=False)
    op.create_index("idx_customers_org", "customers", ["organizationId"], unique=False)
    op.create_index(
        "idx_customers_search",
        "customers",
        ["organizationId", "name", "email", "bin"],
        unique=False,
    )
    op.create_index("idx_customers_workspace", "customers", ["workspaceId"], unique=False)
    op.create_table(
        "departments",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("workspaceId", sa.UUID(), nullable=False),
        sa.Column("parentId", sa.UUID(), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("headEmployeeId", sa.UUID(), nullable=True),
        sa.Column("settings", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("isActive", sa.Boolean(), server_default=sa.text("true"), nullable=True),
        sa.Column("createdBy", sa.UUID(), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updatedAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column("deletedAt", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["createdBy"], ["users.id"], name=op.f("departments_createdBy_fkey")),
        sa.ForeignKeyConstraint(
            ["organizationId"],
            ["organizations.id"],
            name=op.f("departments_organizationId_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parentId"],
            ["departments.id"],
            name=op.f("departments_parentId_fkey"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspaceId"],
            ["workspaces.id"],
            name=op.f("departments_workspaceId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("departments_pkey")),
    )
    op.create_index("idx_departments_org", "departments", ["organizationId"], unique=False)
    op.create_index("idx_departments_parent", "departments", ["parentId"], unique=False)
    op.create_index("idx_departments_workspace", "departments", ["workspaceId"], unique=False)
    op.create_table(
        "documents",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("workspaceId", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=50), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=True),
        sa.Column("fileUrl", sa.String(length=500), nullable=False),
        sa.Column("fileSize", sa.BigInteger(), nullable=True),
        sa.Column("mimeType", sa.String(length=100), nullable=True),
        sa.Column("entityType", sa.String(length=50), nullable=True),
        sa.Column("entityId", sa.UUID(), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=True),
        sa.Column("tags", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("isPublic", sa.Boolean(), server_default=sa.text("false"), nullable=True),
        sa.Column("sharedWith", postgresql.ARRAY(sa.UUID()), nullable=True),
        sa.Column("createdBy", sa.UUID(), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updatedAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column("deletedAt", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["createdBy"], ["users.id"], name=op.f("documents_createdBy_fkey")),
        sa.ForeignKeyConstraint(
            ["organizationId"],
            ["organizations.id"],
            name=op.f("documents_organizationId_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspaceId"],
            ["workspaces.id"],
            name=op.f("documents_workspaceId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("documents_pkey")),
    )
    op.create_index("idx_documents_entity", "documents", ["entityType", "entityId"], unique=False)
    op.create_index("idx_documents_org", "documents", ["organizationId"], unique=False)
    op.create_index("idx_documents_type", "documents", ["type"], unique=False)
    op.create_index("idx_documents_workspace", "documents", ["workspaceId"], unique=False)
    op.create_table(
        "metrics",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("workspaceId", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=50), nullable=False),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("value", sa.Numeric(precision=15, scale=2), nullable=False),
        sa.Column("previousValue", sa.Numeric(precision=15, scale=2), nullable=True),
        sa.Column("change", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("target", sa.Numeric(precision=15, scale=2), nullable=True),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["organizationId"],
            ["organizations.id"],
            name=op.f("metrics_organizationId_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspaceId"],
            ["workspaces.id"],
            name=op.f("metrics_workspaceId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("metrics_pkey")),
    )
    op.create_index("idx_metrics_date", "metrics", ["date"], unique=False)
    op.create_index("idx_metrics_org", "metrics", ["organizationId"], unique=False)
    op.create_index("idx_metrics_period", "metrics", ["period"], unique=False)
    op.create_index("idx_metrics_type", "metrics", ["type"], unique=False)
    op.create_index("idx_metrics_workspace", "metrics", ["workspaceId"], unique=False)
    op.create_table(
        "products",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("workspaceId", sa.UUID(), nullable=False),
        sa.Column("categoryId", sa.UUID(), nullable=True),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("barcode", sa.String(length=100), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "type",
            sa.String(length=50),
            server_default=sa.text("'PRODUCT'"),
            nullable=True,
        ),
        sa.Column("unit", sa.String(length=50), server_default=sa.text("'шт'"), nullable=True),
        sa.Column(
            "price",
            sa.Numeric(precision=15, scale=2),
            server_default=sa.text("0"),
            nullable=True,
        ),
        sa.Column(
            "cost",
            sa.Numeric(precision=15, scale=2),
            server_default=sa.text("0"),
            nullable=True,
        ),
        sa.Column(
            "currency",
            sa.String(length=3),
            server_default=sa.text("'KZT'"),
            nullable=True,
        ),
        sa.Column(
            "taxRate",
            sa.Numeric(precision=5, scale=2),
            server_default=sa.text("12"),
            nullable=True,
        ),
        sa.Column(
            "minStock",
            sa.Numeric(precision=15, scale=3),
            server_default=sa.text("0"),
            nullable=True,
        ),
        sa.Column("maxStock", sa.Numeric(precision=15, scale=3), nullable=True),
        sa.Column(
            "currentStock",
            sa.Numeric(precision=15, scale=3),
            server_default=sa.text("0"),
            nullable=True,
        ),
        sa.Column(
            "reservedStock",
            sa.Numeric(precision=15, scale=3),
            server_default=sa.text("0"),
            nullable=True,
        ),
        sa.Column(
            "availableStock",
            sa.Numeric(precision=15, scale=3),
            sa.Computed('"currentStock" - "reservedStock"', persisted=True),
            nullable=True,
        ),
        sa.Column("weight", sa.Numeric(precision=10, scale=3), nullable=True),
        sa.Column("dimensions", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("images", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("specifications", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "status",
            sa.String(length=50),
            server_default=sa.text("'ACTIVE'"),
            nullable=True,
        ),
        sa.Column("createdBy", sa.UUID(), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updatedAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column("deletedAt", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["categoryId"],
            ["product_categories.id"],
            name=op.f("products_categoryId_fkey"),
        ),
        sa.ForeignKeyConstraint(["createdBy"], ["users.id"], name=op.f("products_createdBy_fkey")),
        sa.ForeignKeyConstraint(
            ["organizationId"],
            ["organizations.id"],
            name=op.f("products_organizationId_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspaceId"],
            ["workspaces.id"],
            name=op.f("products_workspaceId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("products_pkey")),
        sa.UniqueConstraint("organizationId", "code", name=op.f("products_organizationId_code_key")),
    )
    op.create_index("idx_products_barcode", "products", ["barcode"], unique=False)
    op.create_index("idx_products_category", "products", ["categoryId"], unique=False)
    op.create_index("idx_products_code", "products", ["code"], unique=False)
    op.create_index("idx_products_name", "products", ["name"], unique=False)
    op.create_index("idx_products_org", "products", ["organizationId"], unique=False)
    op.create_index("idx_products_workspace", "products", ["workspaceId"], unique=False)
    op.create_table(
        "projects",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("workspaceId", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.String(length=50),
            server_default=sa.text("'ACTIVE'"),
            nullable=True,
        ),
        sa.Column("startDate", sa.Date(), nullable=True),
        sa.Column("endDate", sa.Date(), nullable=True),
        sa.Column("ownerId", sa.UUID(), nullable=True),
        sa.Column("createdBy", sa.UUID(), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updatedAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column("deletedAt", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["createdBy"], ["users.id"], name=op.f("projects_createdBy_fkey")),
        sa.ForeignKeyConstraint(
            ["organizationId"],
            ["organizations.id"],
            name=op.f("projects_organizationId_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["ownerId"], ["users.id"], name=op.f("projects_ownerId_fkey")),
        sa.ForeignKeyConstraint(
            ["workspaceId"],
            ["workspaces.id"],
            name=op.f("projects_workspaceId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("projects_pkey")),
    )
    op.create_index("idx_projects_org", "projects", ["organizationId"], unique=False)
    op.create_index("idx_projects_status", "projects", ["status"], unique=False)
    op.create_index("idx_projects_workspace", "projects", ["workspaceId"], unique=False)
    op.create_table(
        "warehouses",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("workspaceId", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=True),
        sa.Column(
            "type",
            sa.String(length=50),
            server_default=sa.text("'MAIN'"),
            nullable=True,
        ),
        sa.Column("address", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("managerId", sa.UUID(), nullable=True),
        sa.Column("capacity", sa.Numeric(precision=15, scale=2), nullable=True),
        sa.Column("currentUtilization", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("isActive", sa.Boolean(), server_default=sa.text("true"), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updatedAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(["managerId"], ["users.id"], name=op.f("warehouses_managerId_fkey")),
        sa.ForeignKeyConstraint(
            ["organizationId"],
            ["organizations.id"],
            name=op.f("warehouses_organizationId_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspaceId"],
            ["workspaces.id"],
            name=op.f("warehouses_workspaceId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("warehouses_pkey")),
        sa.UniqueConstraint("organizationId", "code", name=op.f("warehouses_organizationId_code_key")),
    )
    op.create_index("idx_warehouses_org", "warehouses", ["organizationId"], unique=False)
    op.create_index("idx_warehouses_workspace", "warehouses", ["workspaceId"], unique=False)
    op.create_table(
        "workspace_users",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("workspaceId", sa.UUID(), nullable=False),
        sa.Column("userId", sa.UUID(), nullable=False),
        sa.Column(
            "role",
            sa.String(length=50),
            server_default=sa.text("'member'"),
            nullable=True,
        ),
        sa.Column("permissions", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("isActive", sa.Boolean(), server_default=sa.text("true"), nullable=True),
        sa.Column(
            "joinedAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updatedAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["userId"],
            ["users.id"],
            name=op.f("workspace_users_userId_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspaceId"],
            ["workspaces.id"],
            name=op.f("workspace_users_workspaceId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("workspace_users_pkey")),
        sa.UniqueConstraint("workspaceId", "userId", name="unique_workspace_user"),
    )
    op.create_index("idx_workspace_users_user", "workspace_users", ["userId"], unique=False)
    op.create_index(
        "idx_workspace_users_workspace",
        "workspace_users",
        ["workspaceId"],
        unique=False,
    )
    op.create_table(
        "customer_contacts",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("customerId", sa.UUID(), nullable=False),
        sa.Column("firstName", sa.String(length=100), nullable=True),
        sa.Column("lastName", sa.String(length=100), nullable=True),
        sa.Column("position", sa.String(length=100), nullable=True),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("mobile", sa.String(length=20), nullable=True),
        sa.Column("isPrimary", sa.Boolean(), server_default=sa.text("false"), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updatedAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["customerId"],
            ["customers.id"],
            name=op.f("customer_contacts_customerId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("customer_contacts_pkey")),
    )
    op.create_index(
        "idx_customer_contacts_customer",
        "customer_contacts",
        ["customerId"],
        unique=False,
    )
    op.create_table(
        "deals",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("workspaceId", sa.UUID(), nullable=False),
        sa.Column("customerId", sa.UUID(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "value",
            sa.Numeric(precision=15, scale=2),
            server_default=sa.text("0"),
            nullable=True,
        ),
        sa.Column(
            "currency",
            sa.String(length=3),
            server_default=sa.text("'KZT'"),
            nullable=True,
        ),
        sa.Column(
            "stage",
            sa.String(length=50),
            server_default=sa.text("'NEW'"),
            nullable=True,
        ),
        sa.Column("probability", sa.Integer(), server_default=sa.text("0"), nullable=True),
        sa.Column("expectedCloseDate", sa.Date(), nullable=True),
        sa.Column("actualCloseDate", sa.Date(), nullable=True),
        sa.Column("wonAt", sa.DateTime(), nullable=True),
        sa.Column("lostAt", sa.DateTime(), nullable=True),
        sa.Column("lostReason", sa.String(length=255), nullable=True),
        sa.Column("competitorInfo", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("source", sa.String(length=100), nullable=True),
        sa.Column("assignedTo", sa.UUID(), nullable=True),
        sa.Column("tags", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("createdBy", sa.UUID(), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updatedAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column("deletedAt", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["assignedTo"], ["users.id"], name=op.f("deals_assignedTo_fkey")),
        sa.ForeignKeyConstraint(["createdBy"], ["users.id"], name=op.f("deals_createdBy_fkey")),
        sa.ForeignKeyConstraint(["customerId"], ["customers.id"], name=op.f("deals_customerId_fkey")),
        sa.ForeignKeyConstraint(
            ["organizationId"],
            ["organizations.id"],
            name=op.f("deals_organizationId_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspaceId"],
            ["workspaces.id"],
            name=op.f("deals_workspaceId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("deals_pkey")),
    )
    op.create_index("idx_deals_assigned", "deals", ["assignedTo"], unique=False)
    op.create_index("idx_deals_customer", "deals", ["customerId"], unique=False)
    op.create_index("idx_deals_org", "deals", ["organizationId"], unique=False)
    op.create_index(
        "idx_deals_org_workspace_status",
        "deals",
        ["organizationId", "workspaceId", "stage"],
        unique=False,
    )
    op.create_index("idx_deals_stage", "deals", ["stage"], unique=False)
    op.create_index("idx_deals_workspace", "deals", ["workspaceId"], unique=False)
    op.create_table(
        "employees",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("userId", sa.UUID(), nullable=False),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("workspaceId", sa.UUID(), nullable=True),
        sa.Column("departmentId", sa.UUID(), nullable=True),
        sa.Column("employeeCode", sa.String(length=50), nullable=True),
        sa.Column("position", sa.String(length=255), nullable=True),
        sa.Column("organizationRole", sa.String(length=50), nullable=True),
        sa.Column("hireDate", sa.Date(), nullable=True),
        sa.Column("salary", sa.Numeric(precision=15, scale=2), nullable=True),
        sa.Column(
            "currency",
            sa.String(length=3),
            server_default=sa.text("'KZT'"),
            nullable=True,
        ),
        sa.Column(
            "status",
            sa.String(length=50),
            server_default=sa.text("'active'"),
            nullable=True,
        ),
        sa.Column("personalInfo", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("documents", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("createdBy", sa.UUID(), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updatedAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column("deletedAt", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["createdBy"], ["users.id"], name=op.f("employees_createdBy_fkey")),
        sa.ForeignKeyConstraint(
            ["departmentId"],
            ["departments.id"],
            name=op.f("employees_departmentId_fkey"),
        ),
        sa.ForeignKeyConstraint(
            ["organizationId"],
            ["organizations.id"],
            name=op.f("employees_organizationId_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["userId"],
            ["users.id"],
            name=op.f("employees_userId_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["workspaceId"], ["workspaces.id"], name=op.f("employees_workspaceId_fkey")),
        sa.PrimaryKeyConstraint("id", name=op.f("employees_pkey")),
        sa.UniqueConstraint("userId", "organizationId", name="unique_user_org"),
    )
    op.create_index("idx_employees_department", "employees", ["departmentId"], unique=False)
    op.create_index("idx_employees_org", "employees", ["organizationId"], unique=False)
    op.create_index("idx_employees_user", "employees", ["userId"], unique=False)
    op.create_index("idx_employees_workspace", "employees", ["workspaceId"], unique=False)
    op.create_table(
        "inventory",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("workspaceId", sa.UUID(), nullable=False),
        sa.Column("warehouseId", sa.UUID(), nullable=False),
        sa.Column("productId", sa.UUID(), nullable=False),
        sa.Column(
            "quantity",
            sa.Numeric(precision=15, scale=3),
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.Column(
            "reservedQuantity",
            sa.Numeric(precision=15, scale=3),
            server_default=sa.text("0"),
            nullable=True,
        ),
        sa.Column(
            "availableQuantity",
            sa.Numeric(precision=15, scale=3),
            sa.Computed('"quantity" - "reservedQuantity"', persisted=True),
            nullable=True,
        ),
        sa.Column("location", sa.String(length=100), nullable=True),
        sa.Column("batchNumber", sa.String(length=100), nullable=True),
        sa.Column("expiryDate", sa.Date(), nullable=True),
        sa.Column("lastCountDate", sa.Date(), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updatedAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["organizationId"],
            ["organizations.id"],
            name=op.f("inventory_organizationId_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["productId"], ["products.id"], name=op.f("inventory_productId_fkey")),
        sa.ForeignKeyConstraint(["warehouseId"], ["warehouses.id"], name=op.f("inventory_warehouseId_fkey")),
        sa.ForeignKeyConstraint(
            ["workspaceId"],
            ["workspaces.id"],
            name=op.f("inventory_workspaceId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("inventory_pkey")),
    )
    op.create_index("idx_inventory_org", "inventory", ["organizationId"], unique=False)
    op.create_index("idx_inventory_product", "inventory", ["productId"], unique=False)
    op.create_index("idx_inventory_warehouse", "inventory", ["warehouseId"], unique=False)
    op.create_index("idx_inventory_workspace", "inventory", ["workspaceId"], unique=False)
    op.create_index(
        "unique_warehouse_product",
        "inventory",
        ["warehouseId", "productId", "batchNumber"],
        unique=True,
        postgresql_where=sa.text('"batchNumber" IS NOT NULL'),
    )
    op.create_index(
        "unique_warehouse_product_no_batch",
        "inventory",
        ["warehouseId", "productId"],
        unique=True,
        postgresql_where=sa.text('"batchNumber" IS NULL'),
    )
    op.create_table(
        "production_bom",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("productId", sa.UUID(), nullable=False),
        sa.Column("componentId", sa.UUID(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=15, scale=6), nullable=False),
        sa.Column("unit", sa.String(length=50), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("isActive", sa.Boolean(), server_default=sa.text("true"), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updatedAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["componentId"],
            ["products.id"],
            name=op.f("production_bom_componentId_fkey"),
        ),
        sa.ForeignKeyConstraint(
            ["organizationId"],
            ["organizations.id"],
            name=op.f("production_bom_organizationId_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["productId"], ["products.id"], name=op.f("production_bom_productId_fkey")),
        sa.PrimaryKeyConstraint("id", name=op.f("production_bom_pkey")),
        sa.UniqueConstraint("productId", "componentId", name="unique_bom_component"),
    )
    op.create_index("idx_bom_component", "production_bom", ["componentId"], unique=False)
    op.create_index("idx_bom_org", "production_bom", ["organizationId"], unique=False)
    op.create_index("idx_bom_product", "production_bom", ["productId"], unique=False)
    op.create_table(
        "stock_movements",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("workspaceId", sa.UUID(), nullable=False),
        sa.Column("warehouseId", sa.UUID(), nullable=False),
        sa.Column("productId", sa.UUID(), nullable=False),
        sa.Column("type", sa.String(length=50), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=15, scale=3), nullable=False),
        sa.Column("referenceType", sa.String(length=50), nullable=True),
        sa.Column("referenceId", sa.UUID(), nullable=True),
        sa.Column("fromWarehouseId", sa.UUID(), nullable=True),
        sa.Column("toWarehouseId", sa.UUID(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("createdBy", sa.UUID(), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(["createdBy"], ["users.id"], name=op.f("stock_movements_createdBy_fkey")),
        sa.ForeignKeyConstraint(
            ["fromWarehouseId"],
            ["warehouses.id"],
            name=op.f("stock_movements_fromWarehouseId_fkey"),
        ),
        sa.ForeignKeyConstraint(
            ["organizationId"],
            ["organizations.id"],
            name=op.f("stock_movements_organizationId_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["productId"], ["products.id"], name=op.f("stock_movements_productId_fkey")),
        sa.ForeignKeyConstraint(
            ["toWarehouseId"],
            ["warehouses.id"],
            name=op.f("stock_movements_toWarehouseId_fkey"),
        ),
        sa.ForeignKeyConstraint(
            ["warehouseId"],
            ["warehouses.id"],
            name=op.f("stock_movements_warehouseId_fkey"),
        ),
        sa.ForeignKeyConstraint(
            ["workspaceId"],
            ["workspaces.id"],
            name=op.f("stock_movements_workspaceId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("stock_movements_pkey")),
    )
    op.create_index("idx_stock_movements_org", "stock_movements", ["organizationId"], unique=False)
    op.create_index("idx_stock_movements_product", "stock_movements", ["productId"], unique=False)
    op.create_index(
        "idx_stock_movements_reference",
        "stock_movements",
        ["referenceType", "referenceId"],
        unique=False,
    )
    op.create_index("idx_stock_movements_type", "stock_movements", ["type"], unique=False)
    op.create_index(
        "idx_stock_movements_warehouse",
        "stock_movements",
        ["warehouseId"],
        unique=False,
    )
    op.create_index(
        "idx_stock_movements_workspace",
        "stock_movements",
        ["workspaceId"],
        unique=False,
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("workspaceId", sa.UUID(), nullable=False),
        sa.Column("projectId", sa.UUID(), nullable=True),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "type",
            sa.String(length=50),
            server_default=sa.text("'TASK'"),
            nullable=True,
        ),
        sa.Column(
            "priority",
            sa.String(length=20),
            server_default=sa.text("'NORMAL'"),
            nullable=True,
        ),
        sa.Column(
            "status",
            sa.String(length=50),
            server_default=sa.text("'TODO'"),
            nullable=True,
        ),
        sa.Column("assignedTo", sa.UUID(), nullable=True),
        sa.Column("assignedBy", sa.UUID(), nullable=True),
        sa.Column("dueDate", sa.DateTime(), nullable=True),
        sa.Column("startDate", sa.DateTime(), nullable=True),
        sa.Column("completedAt", sa.DateTime(), nullable=True),
        sa.Column("estimatedHours", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("actualHours", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("tags", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("attachments", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("createdBy", sa.UUID(), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updatedAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column("deletedAt", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["assignedBy"], ["users.id"], name=op.f("tasks_assignedBy_fkey")),
        sa.ForeignKeyConstraint(["assignedTo"], ["users.id"], name=op.f("tasks_assignedTo_fkey")),
        sa.ForeignKeyConstraint(["createdBy"], ["users.id"], name=op.f("tasks_createdBy_fkey")),
        sa.ForeignKeyConstraint(
            ["organizationId"],
            ["organizations.id"],
            name=op.f("tasks_organizationId_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["projectId"], ["projects.id"], name=op.f("tasks_projectId_fkey")),
        sa.ForeignKeyConstraint(
            ["workspaceId"],
            ["workspaces.id"],
            name=op.f("tasks_workspaceId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("tasks_pkey")),
    )
    op.create_index("idx_tasks_assigned", "tasks", ["assignedTo"], unique=False)
    op.create_index("idx_tasks_org", "tasks", ["organizationId"], unique=False)
    op.create_index("idx_tasks_project", "tasks", ["projectId"], unique=False)
    op.create_index("idx_tasks_status", "tasks", ["status"], unique=False)
    op.create_index("idx_tasks_workspace", "tasks", ["workspaceId"], unique=False)
    op.create_table(
        "attendance",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("workspaceId", sa.UUID(), nullable=False),
        sa.Column("employeeId", sa.UUID(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("checkInTime", sa.Time(), nullable=True),
        sa.Column("checkOutTime", sa.Time(), nullable=True),
        sa.Column("totalHours", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column(
            "overtimeHours",
            sa.Numeric(precision=5, scale=2),
            server_default=sa.text("0"),
            nullable=True,
        ),
        sa.Column(
            "status",
            sa.String(length=50),
            server_default=sa.text("'PRESENT'"),
            nullable=True,
        ),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updatedAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(["employeeId"], ["employees.id"], name=op.f("attendance_employeeId_fkey")),
        sa.ForeignKeyConstraint(
            ["organizationId"],
            ["organizations.id"],
            name=op.f("attendance_organizationId_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspaceId"],
            ["workspaces.id"],
            name=op.f("attendance_workspaceId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("attendance_pkey")),
        sa.UniqueConstraint("employeeId", "date", name="unique_attendance"),
    )
    op.create_index("idx_attendance_date", "attendance", ["date"], unique=False)
    op.create_index("idx_attendance_employee", "attendance", ["employeeId"], unique=False)
    op.create_index("idx_attendance_org", "attendance", ["organizationId"], unique=False)
    op.create_index("idx_attendance_workspace", "attendance", ["workspaceId"], unique=False)
    op.create_table(
        "deal_activities",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("dealId", sa.UUID(), nullable=False),
        sa.Column("type", sa.String(length=50), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=100), nullable=True),
        sa.Column("scheduledAt", sa.DateTime(), nullable=True),
        sa.Column("completedAt", sa.DateTime(), nullable=True),
        sa.Column("duration", sa.Integer(), nullable=True),
        sa.Column("assignedTo", sa.UUID(), nullable=True),
        sa.Column("createdBy", sa.UUID(), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updatedAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(["assignedTo"], ["users.id"], name=op.f("deal_activities_assignedTo_fkey")),
        sa.ForeignKeyConstraint(["createdBy"], ["users.id"], name=op.f("deal_activities_createdBy_fkey")),
        sa.ForeignKeyConstraint(
            ["dealId"],
            ["deals.id"],
            name=op.f("deal_activities_dealId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("deal_activities_pkey")),
    )
    op.create_index("idx_deal_activities_assigned", "deal_activities", ["assignedTo"], unique=False)
    op.create_index("idx_deal_activities_deal", "deal_activities", ["dealId"], unique=False)
    op.create_index("idx_deal_activities_type", "deal_activities", ["type"], unique=False)
    op.create_table(
        "deal_products",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("dealId", sa.UUID(), nullable=False),
        sa.Column("productId", sa.UUID(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=15, scale=3), nullable=False),
        sa.Column("unitPrice", sa.Numeric(precision=15, scale=2), nullable=False),
        sa.Column(
            "discount",
            sa.Numeric(precision=5, scale=2),
            server_default=sa.text("0"),
            nullable=True,
        ),
        sa.Column(
            "tax",
            sa.Numeric(precision=5, scale=2),
            server_default=sa.text("12"),
            nullable=True,
        ),
        sa.Column("totalPrice", sa.Numeric(precision=15, scale=2), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updatedAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["dealId"],
            ["deals.id"],
            name=op.f("deal_products_dealId_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["productId"], ["products.id"], name=op.f("deal_products_productId_fkey")),
        sa.PrimaryKeyConstraint("id", name=op.f("deal_products_pkey")),
    )
    op.create_index("idx_deal_products_deal", "deal_products", ["dealId"], unique=False)
    op.create_index("idx_deal_products_product", "deal_products", ["productId"], unique=False)
    op.create_table(
        "expenses",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("workspaceId", sa.UUID(), nullable=False),
        sa.Column("expenseNumber", sa.String(length=50), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=15, scale=2), nullable=False),
        sa.Column(
            "currency",
            sa.String(length=3),
            server_default=sa.text("'KZT'"),
            nullable=True,
        ),
        sa.Column("expenseDate", sa.Date(), nullable=False),
        sa.Column("paymentMethod", sa.String(length=50), nullable=True),
        sa.Column("vendorId", sa.UUID(), nullable=True),
        sa.Column("employeeId", sa.UUID(), nullable=True),
        sa.Column(
            "status",
            sa.String(length=50),
            server_default=sa.text("'PENDING'"),
            nullable=True,
        ),
        sa.Column("approvedBy", sa.UUID(), nullable=True),
        sa.Column("approvedAt", sa.DateTime(), nullable=True),
        sa.Column("receipt", sa.String(length=500), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("createdBy", sa.UUID(), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updatedAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(["approvedBy"], ["users.id"], name=op.f("expenses_approvedBy_fkey")),
        sa.ForeignKeyConstraint(["createdBy"], ["users.id"], name=op.f("expenses_createdBy_fkey")),
        sa.ForeignKeyConstraint(["employeeId"], ["employees.id"], name=op.f("expenses_employeeId_fkey")),
        sa.ForeignKeyConstraint(
            ["organizationId"],
            ["organizations.id"],
            name=op.f("expenses_organizationId_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["vendorId"], ["customers.id"], name=op.f("expenses_vendorId_fkey")),
        sa.ForeignKeyConstraint(
            ["workspaceId"],
            ["workspaces.id"],
            name=op.f("expenses_workspaceId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("expenses_pkey")),
        sa.UniqueConstraint(
            "organizationId",
            "expenseNumber",
            name=op.f("expenses_organizationId_expenseNumber_key"),
        ),
    )
    op.create_index("idx_expenses_category", "expenses", ["category"], unique=False)
    op.create_index("idx_expenses_employee", "expenses", ["employeeId"], unique=False)
    op.create_index("idx_expenses_org", "expenses", ["organizationId"], unique=False)
    op.create_index("idx_expenses_status", "expenses", ["status"], unique=False)
    op.create_index("idx_expenses_workspace", "expenses", ["workspaceId"], unique=False)
    op.create_table(
        "leaves",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("workspaceId", sa.UUID(), nullable=False),
        sa.Column("employeeId", sa.UUID(), nullable=False),
        sa.Column("type", sa.String(length=50), nullable=False),
        sa.Column("startDate", sa.Date(), nullable=False),
        sa.Column("endDate", sa.Date(), nullable=False),
        sa.Column("totalDays", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.String(length=50),
            server_default=sa.text("'PENDING'"),
            nullable=True,
        ),
        sa.Column("approvedBy", sa.UUID(), nullable=True),
        sa.Column("approvedAt", sa.DateTime(), nullable=True),
        sa.Column("rejectionReason", sa.Text(), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updatedAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(["approvedBy"], ["users.id"], name=op.f("leaves_approvedBy_fkey")),
        sa.ForeignKeyConstraint(["employeeId"], ["employees.id"], name=op.f("leaves_employeeId_fkey")),
        sa.ForeignKeyConstraint(
            ["organizationId"],
            ["organizations.id"],
            name=op.f("leaves_organizationId_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspaceId"],
            ["workspaces.id"],
            name=op.f("leaves_workspaceId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("leaves_pkey")),
    )
    op.create_index("idx_leaves_employee", "leaves", ["employeeId"], unique=False)
    op.create_index("idx_leaves_org", "leaves", ["organizationId"], unique=False)
    op.create_index("idx_leaves_status", "leaves", ["status"], unique=False)
    op.create_index("idx_leaves_workspace", "leaves", ["workspaceId"], unique=False)
    op.create_table(
        "orders",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("workspaceId", sa.UUID(), nullable=False),
        sa.Column("orderNumber", sa.String(length=50), nullable=False),
        sa.Column(
            "type",
            sa.String(length=50),
            server_default=sa.text("'SALES'"),
            nullable=True,
        ),
        sa.Column("customerId", sa.UUID(), nullable=True),
        sa.Column("dealId", sa.UUID(), nullable=True),
        sa.Column(
            "status",
            sa.String(length=50),
            server_default=sa.text("'PENDING'"),
            nullable=True,
        ),
        sa.Column(
            "orderDate",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column("expectedDeliveryDate", sa.Date(), nullable=True),
        sa.Column("actualDeliveryDate", sa.Date(), nullable=True),
        sa.Column("shippingAddress", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("billingAddress", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "subtotal",
            sa.Numeric(precision=15, scale=2),
            server_default=sa.text("0"),
            nullable=True,
        ),
        sa.Column(
            "taxAmount",
            sa.Numeric(precision=15, scale=2),
            server_default=sa.text("0"),
            nullable=True,
        ),
        sa.Column(
            "discountAmount",
            sa.Numeric(precision=15, scale=2),
            server_default=sa.text("0"),
            nullable=True,
        ),
        sa.Column(
            "shippingAmount",
            sa.Numeric(precision=15, scale=2),
            server_default=sa.text("0"),
            nullable=True,
        ),
        sa.Column(
            "totalAmount",
            sa.Numeric(precision=15, scale=2),
            server_default=sa.text("0"),
            nullable=True,
        ),
        sa.Column(
            "currency",
            sa.String(length=3),
            server_default=sa.text("'KZT'"),
            nullable=True,
        ),
        sa.Column(
            "paymentStatus",
            sa.String(length=50),
            server_default=sa.text("'PENDING'"),
            nullable=True,
        ),
        sa.Column("paymentMethod", sa.String(length=50), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("assignedTo", sa.UUID(), nullable=True),
        sa.Column("createdBy", sa.UUID(), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updatedAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column("deletedAt", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["assignedTo"], ["users.id"], name=op.f("orders_assignedTo_fkey")),
        sa.ForeignKeyConstraint(["createdBy"], ["users.id"], name=op.f("orders_createdBy_fkey")),
        sa.ForeignKeyConstraint(["customerId"], ["customers.id"], name=op.f("orders_customerId_fkey")),
        sa.ForeignKeyConstraint(["dealId"], ["deals.id"], name=op.f("orders_dealId_fkey")),
        sa.ForeignKeyConstraint(
            ["organizationId"],
            ["organizations.id"],
            name=op.f("orders_organizationId_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspaceId"],
            ["workspaces.id"],
            name=op.f("orders_workspaceId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("orders_pkey")),
        sa.UniqueConstraint(
            "organizationId",
            "orderNumber",
            name=op.f("orders_organizationId_orderNumber_key"),
        ),
    )
    op.create_index("idx_orders_customer", "orders", ["customerId"], unique=False)
    op.create_index("idx_orders_deal", "orders", ["dealId"], unique=False)
    op.create_index("idx_orders_number", "orders", ["orderNumber"], unique=False)
    op.create_index("idx_orders_org", "orders", ["organizationId"], unique=False)
    op.create_index(
        "idx_orders_org_date_range",
        "orders",
        ["organizationId", "orderDate", "status"],
        unique=False,
    )
    op.create_index("idx_orders_status", "orders", ["status"], unique=False)
    op.create_index("idx_orders_workspace", "orders", ["workspaceId"], unique=False)
    op.create_table(
        "payroll",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("workspaceId", sa.UUID(), nullable=False),
        sa.Column("employeeId", sa.UUID(), nullable=False),
        sa.Column("payrollNumber", sa.String(length=50), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("basicSalary", sa.Numeric(precision=15, scale=2), nullable=False),
        sa.Column(
            "allowances",
            sa.Numeric(precision=15, scale=2),
            server_default=sa.text("0"),
            nullable=True,
        ),
        sa.Column(
            "deductions",
            sa.Numeric(precision=15, scale=2),
            server_default=sa.text("0"),
            nullable=True,
        ),
        sa.Column(
            "taxAmount",
            sa.Numeric(precision=15, scale=2),
            server_default=sa.text("0"),
            nullable=True,
        ),
        sa.Column("netSalary", sa.Numeric(precision=15, scale=2), nullable=False),
        sa.Column(
            "currency",
            sa.String(length=3),
            server_default=sa.text("'KZT'"),
            nullable=True,
        ),
        sa.Column(
            "status",
            sa.String(length=50),
            server_default=sa.text("'DRAFT'"),
            nullable=True,
        ),
        sa.Column("paymentDate", sa.Date(), nullable=True),
        sa.Column("paymentMethod", sa.String(length=50), nullable=True),
        sa.Column("bankAccount", sa.String(length=100), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("createdBy", sa.UUID(), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updatedAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(["createdBy"], ["users.id"], name=op.f("payroll_createdBy_fkey")),
        sa.ForeignKeyConstraint(["employeeId"], ["employees.id"], name=op.f("payroll_employeeId_fkey")),
        sa.ForeignKeyConstraint(
            ["organizationId"],
            ["organizations.id"],
            name=op.f("payroll_organizationId_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspaceId"],
            ["workspaces.id"],
            name=op.f("payroll_workspaceId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("payroll_pkey")),
        sa.UniqueConstraint("employeeId", "year", "month", name="unique_payroll_period"),
        sa.UniqueConstraint(
            "organizationId",
            "payrollNumber",
            name=op.f("payroll_organizationId_payrollNumber_key"),
        ),
    )
    op.create_index("idx_payroll_employee", "payroll", ["employeeId"], unique=False)
    op.create_index("idx_payroll_org", "payroll", ["organizationId"], unique=False)
    op.create_index("idx_payroll_period", "payroll", ["year", "month"], unique=False)
    op.create_index("idx_payroll_workspace", "payroll", ["workspaceId"], unique=False)
    op.create_table(
        "task_comments",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("taskId", sa.UUID(), nullable=False),
        sa.Column("userId", sa.UUID(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("attachments", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updatedAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["taskId"],
            ["tasks.id"],
            name=op.f("task_comments_taskId_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["userId"], ["users.id"], name=op.f("task_comments_userId_fkey")),
        sa.PrimaryKeyConstraint("id", name=op.f("task_comments_pkey")),
    )
    op.create_index("idx_task_comments_task", "task_comments", ["taskId"], unique=False)
    op.create_index("idx_task_comments_user", "task_comments", ["userId"], unique=False)
    op.create_table(
        "invoices",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("workspaceId", sa.UUID(), nullable=False),
        sa.Column("invoiceNumber", sa.String(length=50), nullable=False),
        sa.Column(
            "type",
            sa.String(length=50),
            server_default=sa.text("'SALES'"),
            nullable=True,
        ),
        sa.Column("customerId", sa.UUID(), nullable=True),
        sa.Column("orderId", sa.UUID(), nullable=True),
        sa.Column("dealId", sa.UUID(), nullable=True),
        sa.Column(
            "status",
            sa.String(length=50),
            server_default=sa.text("'DRAFT'"),
            nullable=True,
        ),
        sa.Column("issueDate", sa.Date(), nullable=False),
        sa.Column("dueDate", sa.Date(), nullable=False),
        sa.Column(
            "subtotal",
            sa.Numeric(precision=15, scale=2),
            server_default=sa.text("0"),
            nullable=True,
        ),
        sa.Column(
            "taxAmount",
            sa.Numeric(precision=15, scale=2),
            server_default=sa.text("0"),
            nullable=True,
        ),
        sa.Column(
            "discountAmount",
            sa.Numeric(precision=15, scale=2),
            server_default=sa.text("0"),
            nullable=True,
        ),
        sa.Column(
            "totalAmount",
            sa.Numeric(precision=15, scale=2),
            server_default=sa.text("0"),
            nullable=True,
        ),
        sa.Column(
            "paidAmount",
            sa.Numeric(precision=15, scale=2),
            server_default=sa.text("0"),
            nullable=True,
        ),
        sa.Column(
            "balanceDue",
            sa.Numeric(precision=15, scale=2),
            sa.Computed('"totalAmount" - "paidAmount"', persisted=True),
            nullable=True,
        ),
        sa.Column(
            "currency",
            sa.String(length=3),
            server_default=sa.text("'KZT'"),
            nullable=True,
        ),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("termsAndConditions", sa.Text(), nullable=True),
        sa.Column("createdBy", sa.UUID(), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updatedAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column("deletedAt", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["createdBy"], ["users.id"], name=op.f("invoices_createdBy_fkey")),
        sa.ForeignKeyConstraint(["customerId"], ["customers.id"], name=op.f("invoices_customerId_fkey")),
        sa.ForeignKeyConstraint(["dealId"], ["deals.id"], name=op.f("invoices_dealId_fkey")),
        sa.ForeignKeyConstraint(["orderId"], ["orders.id"], name=op.f("invoices_orderId_fkey")),
        sa.ForeignKeyConstraint(
            ["organizationId"],
            ["organizations.id"],
            name=op.f("invoices_organizationId_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspaceId"],
            ["workspaces.id"],
            name=op.f("invoices_workspaceId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("invoices_pkey")),
        sa.UniqueConstraint(
            "organizationId",
            "invoiceNumber",
            name=op.f("invoices_organizationId_invoiceNumber_key"),
        ),
    )
    op.create_index("idx_invoices_customer", "invoices", ["customerId"], unique=False)
    op.create_index("idx_invoices_number", "invoices", ["invoiceNumber"], unique=False)
    op.create_index("idx_invoices_order", "invoices", ["orderId"], unique=False)
    op.create_index("idx_invoices_org", "invoices", ["organizationId"], unique=False)
    op.create_index("idx_invoices_status", "invoices", ["status"], unique=False)
    op.create_index("idx_invoices_workspace", "invoices", ["workspaceId"], unique=False)
    op.create_table(
        "order_items",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("orderId", sa.UUID(), nullable=False),
        sa.Column("productId", sa.UUID(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=15, scale=3), nullable=False),
        sa.Column("unitPrice", sa.Numeric(precision=15, scale=2), nullable=False),
        sa.Column(
            "discount",
            sa.Numeric(precision=5, scale=2),
            server_default=sa.text("0"),
            nullable=True,
        ),
        sa.Column(
            "tax",
            sa.Numeric(precision=5, scale=2),
            server_default=sa.text("12"),
            nullable=True,
        ),
        sa.Column("totalPrice", sa.Numeric(precision=15, scale=2), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updatedAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["orderId"],
            ["orders.id"],
            name=op.f("order_items_orderId_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["productId"], ["products.id"], name=op.f("order_items_productId_fkey")),
        sa.PrimaryKeyConstraint("id", name=op.f("order_items_pkey")),
    )
    op.create_index("idx_order_items_order", "order_items", ["orderId"], unique=False)
    op.create_index("idx_order_items_product", "order_items", ["productId"], unique=False)
    op.create_table(
        "production_orders",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("workspaceId", sa.UUID(), nullable=False),
        sa.Column("orderNumber", sa.String(length=50), nullable=False),
        sa.Column("orderId", sa.UUID(), nullable=True),
        sa.Column("productId", sa.UUID(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=15, scale=3), nullable=False),
        sa.Column(
            "completedQuantity",
            sa.Numeric(precision=15, scale=3),
            server_default=sa.text("0"),
            nullable=True,
        ),
        sa.Column(
            "status",
            sa.String(length=50),
            server_default=sa.text("'PLANNED'"),
            nullable=True,
        ),
        sa.Column(
            "priority",
            sa.String(length=20),
            server_default=sa.text("'NORMAL'"),
            nullable=True,
        ),
        sa.Column("plannedStartDate", sa.DateTime(), nullable=True),
        sa.Column("plannedEndDate", sa.DateTime(), nullable=True),
        sa.Column("actualStartDate", sa.DateTime(), nullable=True),
        sa.Column("actualEndDate", sa.DateTime(), nullable=True),
        sa.Column("assignedTo", sa.UUID(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("createdBy", sa.UUID(), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updatedAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(["assignedTo"], ["users.id"], name=op.f("production_orders_assignedTo_fkey")),
        sa.ForeignKeyConstraint(["createdBy"], ["users.id"], name=op.f("production_orders_createdBy_fkey")),
        sa.ForeignKeyConstraint(["orderId"], ["orders.id"], name=op.f("production_orders_orderId_fkey")),
        sa.ForeignKeyConstraint(
            ["organizationId"],
            ["organizations.id"],
            name=op.f("production_orders_organizationId_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["productId"],
            ["products.id"],
            name=op.f("production_orders_productId_fkey"),
        ),
        sa.ForeignKeyConstraint(
            ["workspaceId"],
            ["workspaces.id"],
            name=op.f("production_orders_workspaceId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("production_orders_pkey")),
        sa.UniqueConstraint(
            "organizationId",
            "orderNumber",
            name=op.f("production_orders_organizationId_orderNumber_key"),
        ),
    )
    op.create_index("idx_production_orders_order", "production_orders", ["orderId"], unique=False)
    op.create_index(
        "idx_production_orders_org",
        "production_orders",
        ["organizationId"],
        unique=False,
    )
    op.create_index(
        "idx_production_orders_product",
        "production_orders",
        ["productId"],
        unique=False,
    )
    op.create_index("idx_production_orders_status", "production_orders", ["status"], unique=False)
    op.create_index(
        "idx_production_orders_workspace",
        "production_orders",
        ["workspaceId"],
        unique=False,
    )
    op.create_table(
        "invoice_items",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("invoiceId", sa.UUID(), nullable=False),
        sa.Column("productId", sa.UUID(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=15, scale=3), nullable=False),
        sa.Column("unitPrice", sa.Numeric(precision=15, scale=2), nullable=False),
        sa.Column(
            "discount",
            sa.Numeric(precision=5, scale=2),
            server_default=sa.text("0"),
            nullable=True,
        ),
        sa.Column(
            "tax",
            sa.Numeric(precision=5, scale=2),
            server_default=sa.text("12"),
            nullable=True,
        ),
        sa.Column("totalPrice", sa.Numeric(precision=15, scale=2), nullable=False),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updatedAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["invoiceId"],
            ["invoices.id"],
            name=op.f("invoice_items_invoiceId_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["productId"], ["products.id"], name=op.f("invoice_items_productId_fkey")),
        sa.PrimaryKeyConstraint("id", name=op.f("invoice_items_pkey")),
    )
    op.create_index("idx_invoice_items_invoice", "invoice_items", ["invoiceId"], unique=False)
    op.create_index("idx_invoice_items_product", "invoice_items", ["productId"], unique=False)
    op.create_table(
        "payments",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organizationId", sa.UUID(), nullable=False),
        sa.Column("workspaceId", sa.UUID(), nullable=False),
        sa.Column("paymentNumber", sa.String(length=50), nullable=False),
        sa.Column(
            "type",
            sa.String(length=50),
            server_default=sa.text("'INCOMING'"),
            nullable=True,
        ),
        sa.Column("invoiceId", sa.UUID(), nullable=True),
        sa.Column("customerId", sa.UUID(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=15, scale=2), nullable=False),
        sa.Column(
            "currency",
            sa.String(length=3),
            server_default=sa.text("'KZT'"),
            nullable=True,
        ),
        sa.Column("paymentMethod", sa.String(length=50), nullable=False),
        sa.Column("paymentDate", sa.Date(), nullable=False),
        sa.Column("referenceNumber", sa.String(length=100), nullable=True),
        sa.Column(
            "status",
            sa.String(length=50),
            server_default=sa.text("'COMPLETED'"),
            nullable=True,
        ),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("createdBy", sa.UUID(), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updatedAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(["createdBy"], ["users.id"], name=op.f("payments_createdBy_fkey")),
        sa.ForeignKeyConstraint(["customerId"], ["customers.id"], name=op.f("payments_customerId_fkey")),
        sa.ForeignKeyConstraint(["invoiceId"], ["invoices.id"], name=op.f("payments_invoiceId_fkey")),
        sa.ForeignKeyConstraint(
            ["organizationId"],
            ["organizations.id"],
            name=op.f("payments_organizationId_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspaceId"],
            ["workspaces.id"],
            name=op.f("payments_workspaceId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("payments_pkey")),
        sa.UniqueConstraint(
            "organizationId",
            "paymentNumber",
            name=op.f("payments_organizationId_paymentNumber_key"),
        ),
    )
    op.create_index("idx_payments_customer", "payments", ["customerId"], unique=False)
    op.create_index("idx_payments_date", "payments", ["paymentDate"], unique=False)
    op.create_index("idx_payments_invoice", "payments", ["invoiceId"], unique=False)
    op.create_index("idx_payments_org", "payments", ["organizationId"], unique=False)
    op.create_index("idx_payments_workspace", "payments", ["workspaceId"], unique=False)
    op.create_table(
        "work_orders",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("productionOrderId", sa.UUID(), nullable=False),
        sa.Column("workOrderNumber", sa.String(length=50), nullable=False),
        sa.Column("operation", sa.String(length=255), nullable=False),
        sa.Column("workCenterId", sa.UUID(), nullable=True),
        sa.Column("quantity", sa.Numeric(precision=15, scale=3), nullable=False),
        sa.Column(
            "completedQuantity",
            sa.Numeric(precision=15, scale=3),
            server_default=sa.text("0"),
            nullable=True,
        ),
        sa.Column(
            "status",
            sa.String(length=50),
            server_default=sa.text("'PENDING'"),
            nullable=True,
        ),
        sa.Column("assignedTo", sa.UUID(), nullable=True),
        sa.Column("startTime", sa.DateTime(), nullable=True),
        sa.Column("endTime", sa.DateTime(), nullable=True),
        sa.Column("duration", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column(
            "createdAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updatedAt",
            sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(["assignedTo"], ["users.id"], name=op.f("work_orders_assignedTo_fkey")),
        sa.ForeignKeyConstraint(
            ["productionOrderId"],
            ["production_orders.id"],
            name=op.f("work_orders_productionOrderId_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("work_orders_pkey")),
        sa.UniqueConstraint("workOrderNumber", name=op.f("work_orders_workOrderNumber_key")),
    )
    op.create_index("idx_work_orders_assigned", "work_orders", ["assignedTo"], unique=False)
    op.create_index("idx_work_orders_production", "work_orders", ["productionOrderId"], unique=False)
    op.create_index("idx_work_orders_status", "work_orders", ["status"], unique=False)


def downgrade() -> None:
    # dropping a table drops its indexes and constraints; children go before their parents
    op.drop_table("work_orders")
    op.drop_table("payments")
    op.drop_table("invoice_items")
    op.drop_table("production_orders")
    op.drop_table("order_items")
    op.drop_table("invoices")
    op.drop_table("task_comments")
    op.drop_table("payroll")
    op.drop_table("orders")
    op.drop_table("leaves")
    op.drop_table("expenses")
    op.drop_table("deal_products")
    op.drop_table("deal_activities")
    op.drop_table("attendance")
    op.drop_table("tasks")
    op.drop_table("stock_movements")
    op.drop_table("production_bom")
    op.drop_table("inventory")
    op.drop_table("employees")
    op.drop_table("deals")
    op.drop_table("customer_contacts")
    op.drop_table("workspace_users")
    op.drop_table("warehouses")
    op.drop_table("projects")
    op.drop_table("products")
    op.drop_table("metrics")
    op.drop_table("documents")
    op.drop_table("departments")
    op.drop_table("customers")
    op.drop_table("calendar_events")
    op.drop_table("workspaces")
    op.drop_table("product_categories")
    op.drop_table("kpi_definitions")
    op.drop_table("audit_logs")
    op.drop_table("refresh_tokens")
    op.drop_table("organizations")
    op.drop_table("notifications")
    op.drop_table("email_verifications")
    op.drop_table("users")
