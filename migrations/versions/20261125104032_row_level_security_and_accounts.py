"""row level security and accounts: tenant policies, roles prometric_reader/prometric_jobs, login throttling

Every table of the ERP schema gets row-level security (not FORCEd: the owner, i.e. migrations, the
data generator and jobs running as owner, is unaffected). `prometric_reader` (dashboards) may SELECT
the rows of the organization whose tenant proof `tenant_session` set in the current transaction;
`prometric_jobs` reads and writes every tenant. See docs/security.md.

The table lists below are frozen here (a migration must not import models that change later); they
were derived from the catalog (tables with "organizationId", and tables reaching one through a NOT
NULL foreign key), and tests/test_tenant_isolation.py re-derives them from the live catalog.

Revision ID: 20261125104032
Revises: 20261125094731
Create Date: 2026-11-25 10:40:32.132193+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261125104032"
down_revision: str | None = "20261125094731"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

READER = "prometric_reader"
JOBS = "prometric_jobs"

# table -> whether it has "workspaceId" (narrowed by app.workspace_ids when that is set)
ORGANIZATION_TABLES: dict[str, bool] = {
    "attendance": True,
    "audit_logs": False,
    "calendar_events": True,
    "customers": True,
    "deals": True,
    "departments": True,
    "documents": True,
    "employees": True,
    "expenses": True,
    "inventory": True,
    "invoices": True,
    "kpi_definitions": False,
    "leaves": True,
    "metrics": True,
    "orders": True,
    "payments": True,
    "payroll": True,
    "product_categories": False,
    "production_bom": False,
    "production_orders": True,
    "products": True,
    "projects": True,
    "stock_movements": True,
    "tasks": True,
    "warehouses": True,
}
# child table -> (its NOT NULL foreign key column, the parent table): a child row is visible when its
# parent row is (the EXISTS below runs under the parent's own policy)
CHILD_TABLES: dict[str, tuple[str, str]] = {
    "customer_contacts": ("customerId", "customers"),
    "deal_activities": ("dealId", "deals"),
    "deal_products": ("dealId", "deals"),
    "invoice_items": ("invoiceId", "invoices"),
    "notifications": ("userId", "users"),
    "order_items": ("orderId", "orders"),
    "task_comments": ("taskId", "tasks"),
    "work_orders": ("productionOrderId", "production_orders"),
    "workspace_users": ("workspaceId", "workspaces"),
}
# credentials: no access at all for the reader (hashed tokens are still secrets)
CREDENTIAL_TABLES = ("email_verifications", "refresh_tokens")
# the reader sees every column of users except the password hash
USER_COLUMNS_FOR_READER = (
    "id", "email", "firstName", "lastName", "phone", "role", "status", "registrationStatus", "emailVerified",
    "isVerified", "isActive", "onboardingCompleted", "lastLoginAt", "createdAt", "updatedAt", "deletedAt",
)  # fmt: skip
SPECIAL_TABLES = ("organizations", "workspaces", "users")
ALL_RLS_TABLES = sorted(
    [*ORGANIZATION_TABLES, *CHILD_TABLES, *CREDENTIAL_TABLES, *SPECIAL_TABLES, "security_account_locks"]
)
# what prometric_jobs may write: every ERP table and the login throttling state
JOBS_TABLES = sorted(
    [*ORGANIZATION_TABLES, *CHILD_TABLES, *CREDENTIAL_TABLES, *SPECIAL_TABLES, "security_account_locks"]
)

ORG = "(SELECT prometric_tenant_organization())"
WORKSPACES = "(SELECT prometric_tenant_workspaces())"


def _reader_policy(table: str) -> str:
    if table == "organizations":
        return f"id = {ORG}"
    if table == "workspaces":
        return f'"organizationId" = {ORG} AND ({WORKSPACES} IS NULL OR id = ANY ({WORKSPACES}::uuid[]))'
    if table == "users":
        # a member of the organization: in one of its (visible) workspaces, one of its employees, or its creator
        return (
            'EXISTS (SELECT 1 FROM workspace_users m WHERE m."userId" = users.id)'
            ' OR EXISTS (SELECT 1 FROM employees e WHERE e."userId" = users.id)'
            ' OR EXISTS (SELECT 1 FROM organizations o WHERE o."createdBy" = users.id)'
        )
    if table in CHILD_TABLES:
        column, parent = CHILD_TABLES[table]
        return f'EXISTS (SELECT 1 FROM {parent} p WHERE p.id = {table}."{column}")'
    condition = f'"organizationId" = {ORG}'
    if ORGANIZATION_TABLES[table]:
        condition += f' AND ({WORKSPACES} IS NULL OR "workspaceId" = ANY ({WORKSPACES}::uuid[]))'
    return condition


def _schema() -> str:
    return op.get_bind().execute(sa.text("SELECT quote_ident(current_schema())")).scalar_one()


def upgrade() -> None:
    schema = _schema()
    # Roles are cluster-wide: another database of the same server may have created them already, or
    # be creating them right now (a concurrent migration there is not serialised by our advisory lock).
    for role in (READER, JOBS):
        op.execute(f"""
            DO $$ BEGIN
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
                    CREATE ROLE {role} NOLOGIN;
                END IF;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
            END $$""")

    op.create_table(
        "security_account_locks",
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("failedAttempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("lastFailedAt", sa.DateTime(), nullable=True),
        sa.Column("lockedUntil", sa.DateTime(), nullable=True),
        sa.Column("updatedAt", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=True),
        sa.PrimaryKeyConstraint("email", name=op.f("security_account_locks_pkey")),
    )
    op.create_table(
        "security_tenant_keys",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("createdAt", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=True),
        sa.Column("retiredAt", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("security_tenant_keys_pkey")),
    )
    # 244 random bits from the server's strong random source (gen_random_uuid); no secret in this file
    op.execute(
        "INSERT INTO security_tenant_keys (key) "
        "SELECT replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')"
    )
    op.execute("ALTER TABLE security_tenant_keys ENABLE ROW LEVEL SECURITY")  # no policy: owner only

    # HMAC-SHA256 from the built-in sha256() (no pgcrypto needed): equals Python's hmac.new(key, msg, sha256)
    op.execute(r"""
        CREATE FUNCTION prometric_hmac_sha256(key bytea, message bytea) RETURNS text
        LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
        DECLARE
            block bytea := CASE WHEN length(key) > 64 THEN sha256(key) ELSE key END;
            inner_pad bytea := decode(repeat('36', 64), 'hex');
            outer_pad bytea := decode(repeat('5c', 64), 'hex');
        BEGIN
            FOR i IN 0 .. length(block) - 1 LOOP
                inner_pad := set_byte(inner_pad, i, get_byte(block, i) # 54);
                outer_pad := set_byte(outer_pad, i, get_byte(block, i) # 92);
            END LOOP;
            RETURN encode(sha256(outer_pad || sha256(inner_pad || message)), 'hex');
        END $$""")
    # What the proof signs besides the settings: this backend and this transaction's start, so a proof
    # is good for one transaction only (a copy kept in a session-level setting is worthless later).
    op.execute("""
        CREATE FUNCTION prometric_tenant_challenge() RETURNS text
        LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
            SELECT pg_backend_pid()::text || '|'
                   || (extract(epoch FROM transaction_timestamp()) * 1000000)::bigint::text
        $$""")
    # The organization of the current transaction, or NULL when app.organization_id was not set together
    # with a valid proof. SECURITY DEFINER: reads the keys, which the reader cannot.
    op.execute(f"""
        CREATE FUNCTION prometric_tenant_organization() RETURNS uuid
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
            SELECT CASE WHEN EXISTS (
                SELECT 1 FROM {schema}.security_tenant_keys k
                WHERE k."retiredAt" IS NULL
                  AND {schema}.prometric_hmac_sha256(
                        convert_to(k.key, 'UTF8'),
                        convert_to(coalesce(current_setting('app.organization_id', true), '') || '|'
                                   || coalesce(current_setting('app.workspace_ids', true), '') || '|'
                                   || {schema}.prometric_tenant_challenge(), 'UTF8'))
                      = current_setting('app.tenant_proof', true)
            ) THEN nullif(current_setting('app.organization_id', true), '')::uuid END
        $$""")
    # NULL = no narrowing; the workspaces only count when the organization (and so the proof) is valid
    op.execute(f"""
        CREATE FUNCTION prometric_tenant_workspaces() RETURNS uuid[]
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
            SELECT CASE WHEN {schema}.prometric_tenant_organization() IS NOT NULL
                             AND nullif(current_setting('app.workspace_ids', true), '') IS NOT NULL
                        THEN string_to_array(current_setting('app.workspace_ids', true), ',')::uuid[] END
        $$""")
    for function in (
        "prometric_tenant_organization()",
        "prometric_tenant_workspaces()",
        "prometric_tenant_challenge()",
    ):
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {function} TO {READER}, {JOBS}")
    op.execute("REVOKE ALL ON FUNCTION prometric_hmac_sha256(bytea, bytea) FROM PUBLIC")

    op.execute(f"GRANT USAGE ON SCHEMA {schema} TO {READER}, {JOBS}")
    for table in ALL_RLS_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    for table in JOBS_TABLES:
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {JOBS}")
        # permissive and for every command: batch jobs work across tenants (no superuser needed for this)
        op.execute(f"CREATE POLICY jobs_all_tenants ON {table} TO {JOBS} USING (true) WITH CHECK (true)")
    for table in [*ORGANIZATION_TABLES, *CHILD_TABLES, *SPECIAL_TABLES]:
        if table == "users":
            columns = ", ".join(f'"{c}"' for c in USER_COLUMNS_FOR_READER)
            op.execute(f"GRANT SELECT ({columns}) ON users TO {READER}")
        else:
            op.execute(f"GRANT SELECT ON {table} TO {READER}")
        op.execute(f"CREATE POLICY reader_tenant ON {table} FOR SELECT TO {READER} USING ({_reader_policy(table)})")


def downgrade() -> None:
    schema = _schema()
    for table in ALL_RLS_TABLES:
        op.execute(f"DROP POLICY IF EXISTS reader_tenant ON {table}")
        op.execute(f"DROP POLICY IF EXISTS jobs_all_tenants ON {table}")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        op.execute(f"REVOKE ALL ON {table} FROM {READER}, {JOBS}")
    op.execute("DROP FUNCTION prometric_tenant_workspaces()")
    op.execute("DROP FUNCTION prometric_tenant_organization()")
    op.execute("DROP FUNCTION prometric_tenant_challenge()")
    op.execute("DROP FUNCTION prometric_hmac_sha256(bytea, bytea)")
    op.drop_table("security_tenant_keys")
    op.drop_table("security_account_locks")
    op.execute(f"REVOKE ALL ON SCHEMA {schema} FROM {READER}, {JOBS}")
    # The roles are the server's, not this database's: drop one only when nothing anywhere still
    # refers to it (other databases of the server keep their grants) and nobody made it a login
    # (an operator's or the embedded set-up's). Otherwise it stays, harmless without grants here.
    for role in (READER, JOBS):
        op.execute(f"""
            DO $$ BEGIN
                IF EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}' AND NOT rolcanlogin) THEN
                    DROP ROLE {role};
                END IF;
            EXCEPTION WHEN dependent_objects_still_exist THEN NULL;
            END $$""")
