"""viewer HR access: the dashboards' role rules on personal HR data, enforced by row-level security

`tenant_session(..., viewer=TenantViewer(user_id, hr_access))` sets `app.viewer` (`all:<user>`,
`self:<user>` or `none:<user>`), and the tenant proof now signs it too: the HMAC message is the
previous one with `|<app.viewer>` appended when a viewer is set, so a session without a viewer
(jobs, existing callers) signs exactly what it signed before and keeps full HR access.

The reader policies of the HR tables (`employees`, `attendance`, `leaves`, `payroll`,
`payroll_items`, `payroll_skips`) add to the tenant condition: access `all`, or access `self` and the
row is the viewer's own employee record (or belongs to it). `audit_logs` rows about those tables
(they carry old/new salaries) are visible with `all` only. See docs/security.md.

Revision ID: 20261125120500
Revises: 20261125120400
Create Date: 2026-11-25 12:05:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261125120500"
down_revision: str | None = "20261125120400"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

READER = "prometric_reader"
JOBS = "prometric_jobs"

ORG = "(SELECT prometric_tenant_organization())"
WORKSPACES = "(SELECT prometric_tenant_workspaces())"
# InitPlans: evaluated once per query, not per row (like ORG)
ACCESS = "(SELECT prometric_tenant_hr_access())"
OWN_EMPLOYEE = "(SELECT prometric_tenant_viewer_employee())"

# HR table -> (has "workspaceId", how a row belongs to the viewer's own employee record)
HR_TABLES: dict[str, tuple[bool, str]] = {
    "employees": (True, f"id = {OWN_EMPLOYEE}"),
    "attendance": (True, f'"employeeId" = {OWN_EMPLOYEE}'),
    "leaves": (True, f'"employeeId" = {OWN_EMPLOYEE}'),
    "payroll": (True, f'"employeeId" = {OWN_EMPLOYEE}'),
    # uncorrelated: one hashed sub-plan per query (it runs under payroll's own policy as well)
    "payroll_items": (False, f'"payrollId" IN (SELECT p.id FROM payroll p WHERE p."employeeId" = {OWN_EMPLOYEE})'),
    "payroll_skips": (False, f'"employeeId" = {OWN_EMPLOYEE}'),
}
# audit_logs.entity values about those tables: the table names and the singular names the ERP (and the
# generator, the payroll job) write; compared lower-cased
HR_AUDIT_ENTITIES = (
    "employee", "employees", "attendance", "leave", "leaves", "payroll", "payrolls",
    "payroll_item", "payroll_items", "payroll_skip", "payroll_skips",
)  # fmt: skip


def _tenant(has_workspace: bool) -> str:
    condition = f'"organizationId" = {ORG}'
    if has_workspace:
        condition += f' AND ({WORKSPACES} IS NULL OR "workspaceId" = ANY ({WORKSPACES}::uuid[]))'
    return condition


def _hr_policy(has_workspace: bool, own: str) -> str:
    return f"{_tenant(has_workspace)} AND ({ACCESS} = 'all' OR ({ACCESS} = 'self' AND {own}))"


def _audit_policy() -> str:
    entities = ", ".join(f"'{e}'" for e in HR_AUDIT_ENTITIES)
    return f"{_tenant(False)} AND ({ACCESS} = 'all' OR lower(entity) <> ALL (ARRAY[{entities}]))"


def _replace_reader_policy(table: str, using: str) -> None:
    op.execute(f"DROP POLICY IF EXISTS reader_tenant ON {table}")
    op.execute(f"CREATE POLICY reader_tenant ON {table} FOR SELECT TO {READER} USING ({using})")


def _organization_function(schema: str, with_viewer: bool) -> str:
    """prometric_tenant_organization(): the organization when the proof matches, else NULL."""
    viewer = " || coalesce('|' || nullif(current_setting('app.viewer', true), ''), '')" if with_viewer else ""
    return f"""
        CREATE OR REPLACE FUNCTION prometric_tenant_organization() RETURNS uuid
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
            SELECT CASE WHEN EXISTS (
                SELECT 1 FROM {schema}.security_tenant_keys k
                WHERE k."retiredAt" IS NULL
                  AND {schema}.prometric_hmac_sha256(
                        convert_to(k.key, 'UTF8'),
                        convert_to(coalesce(current_setting('app.organization_id', true), '') || '|'
                                   || coalesce(current_setting('app.workspace_ids', true), '') || '|'
                                   || {schema}.prometric_tenant_challenge(){viewer}, 'UTF8'))
                      = current_setting('app.tenant_proof', true)
            ) THEN nullif(current_setting('app.organization_id', true), '')::uuid END
        $$"""


def _schema() -> str:
    return op.get_bind().execute(sa.text("SELECT quote_ident(current_schema())")).scalar_one()


def upgrade() -> None:
    schema = _schema()
    op.execute(_organization_function(schema, with_viewer=True))
    # 'all' | 'self' | 'none' for a valid proof, NULL otherwise. No viewer (empty app.viewer) = 'all':
    # jobs and callers that read on nobody's behalf keep today's access. Unknown levels fail closed.
    op.execute(f"""
        CREATE FUNCTION prometric_tenant_hr_access() RETURNS text
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
            SELECT CASE WHEN {schema}.prometric_tenant_organization() IS NOT NULL THEN
                CASE split_part(coalesce(current_setting('app.viewer', true), ''), ':', 1)
                    WHEN '' THEN 'all' WHEN 'all' THEN 'all' WHEN 'self' THEN 'self' ELSE 'none' END
            END
        $$""")
    # The viewer's user id (any level) for a valid proof, NULL without a viewer or a valid proof.
    op.execute(f"""
        CREATE FUNCTION prometric_tenant_viewer_user() RETURNS uuid
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
            SELECT CASE WHEN {schema}.prometric_tenant_organization() IS NOT NULL
                             AND split_part(coalesce(current_setting('app.viewer', true), ''), ':', 2) <> ''
                        THEN split_part(current_setting('app.viewer', true), ':', 2)::uuid END
        $$""")
    # The viewer's own employee record in the organization (unique_user_org: at most one), read as the
    # owner so that it does not depend on the employees policy it serves.
    op.execute(f"""
        CREATE FUNCTION prometric_tenant_viewer_employee() RETURNS uuid
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
            SELECT e.id FROM {schema}.employees e
            WHERE e."userId" = {schema}.prometric_tenant_viewer_user()
              AND e."organizationId" = {schema}.prometric_tenant_organization()
        $$""")
    for function in (
        "prometric_tenant_hr_access()",
        "prometric_tenant_viewer_user()",
        "prometric_tenant_viewer_employee()",
    ):
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {function} TO {READER}, {JOBS}")

    for table, (has_workspace, own) in HR_TABLES.items():
        _replace_reader_policy(table, _hr_policy(has_workspace, own))
    _replace_reader_policy("audit_logs", _audit_policy())


def downgrade() -> None:
    schema = _schema()
    # the policies of 20261125104032 / 20261125120200, then the functions they no longer use
    for table, (has_workspace, _own) in HR_TABLES.items():
        _replace_reader_policy(table, _tenant(has_workspace))
    _replace_reader_policy("audit_logs", _tenant(False))
    op.execute("DROP FUNCTION prometric_tenant_viewer_employee()")
    op.execute("DROP FUNCTION prometric_tenant_viewer_user()")
    op.execute("DROP FUNCTION prometric_tenant_hr_access()")
    op.execute(_organization_function(schema, with_viewer=False))
