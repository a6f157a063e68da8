"""least privilege logins: sign-in through definer functions, HR level on notifications and audit values,
per-organization roles for the Database page, no credentials or role changes for the jobs login

* Sign-in without exposing hashes (the dashboards hold only `prometric_reader`): the reader may call
  `prometric_login_salt(email)` (the bcrypt setting of the account: cost and salt, never the hash; a
  stable made-up one for unknown e-mails) and `prometric_login_attempt(email, candidate, rehash)`: the
  bcrypt of the typed password under that setting, compared here; the lock-out is counted here with the
  server's clock. `prometric_login_attempt_at(…, at)` (an explicit clock, for tests and replays) is the
  owner's only. `prometric_account(user)`, `prometric_account_memberships(user)` and
  `prometric_account_employments(user)` give the signed-in user's name and memberships.
* `payroll`: HR level `self` no longer sees its own DRAFT payslips (nor, through it, their lines).
* `notifications`: a viewer sees their own; others' only with HR level `all`, and never others'
  payroll notifications (they name net pay).
* `audit_logs`: rows whose old/new values carry a credential (password, token, secret or a bcrypt/argon2
  hash anywhere in them) are never visible to the reader; rows whose values carry pay or personal
  identifiers (salary, net pay, IIN, bank account, personal info) only with HR level `all`.
* The health snapshots (the Database page) are readable by the reader when the signed viewer is the
  organization's owner (its creator or an employee whose organizationRole is owner), without the
  long-running queries' text.
* The EXPLAIN side channel: the built-in text comparisons are no longer LEAKPROOF in this database (when
  the migration runs as a superuser), so a condition on e-mails or names runs after the policies.
* `prometric_jobs`: no password, token or tenant-key columns; no writes to users, memberships,
  organizations, workspaces, employees' roles, nor the lock-out table.

See docs/security.md.

Revision ID: 20261206200800
Revises: 20261206200500
Create Date: 2026-12-06 20:04:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261206200800"
down_revision: str | None = "20261206200500"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

READER = "prometric_reader"
JOBS = "prometric_jobs"

ORG = "(SELECT prometric_tenant_organization())"
ACCESS = "(SELECT prometric_tenant_hr_access())"
VIEWER = "(SELECT prometric_tenant_viewer_user())"
WORKSPACES = "(SELECT prometric_tenant_workspaces())"
OWN_EMPLOYEE = "(SELECT prometric_tenant_viewer_employee())"

# the login cost every sign-in pays (prometric_pipelines.security.passwords.LOGIN_ROUNDS)
LOGIN_ROUNDS = 12

HR_AUDIT_ENTITIES = (
    "employee", "employees", "attendance", "leave", "leaves", "payroll", "payrolls",
    "payroll_item", "payroll_items", "payroll_skip", "payroll_skips",
)  # fmt: skip
# key names (lower-cased, anywhere in the JSON) and values that make an audit row a credential carrier
CREDENTIAL_PATTERN = (
    r'"[^"]*(password|passwd|pwd|token|secret|api_?key|credential|private_?key|session_?id|jwt)[^"]*"\s*:'
    r'|"(auth|authorization|pass|hash|password_?hash)"\s*:'
    r"|\$2[abxy]\$\d\d\$|\$argon2|\m(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"
)
# key names that make an audit row personal HR data
PERSONAL_PATTERN = r'"[^"]*(salary|net_?pay|gross|iin|bank_?account|personal_?info|bonus|deduction)[^"]*"\s*:'

USERS_COLUMNS_BUT_PASSWORD = (
    "id", "email", "firstName", "lastName", "phone", "role", "status", "registrationStatus", "emailVerified",
    "isVerified", "isActive", "onboardingCompleted", "lastLoginAt", "createdAt", "updatedAt", "deletedAt",
)  # fmt: skip
# employees: what a job may update (never who the employee is, nor their role in the organization)
EMPLOYEE_UPDATABLE = (
    "departmentId", "workspaceId", "employeeCode", "position", "hireDate", "salary", "currency", "status",
    "personalInfo", "documents", "updatedAt", "deletedAt",
)  # fmt: skip
HEALTH_TABLES = ("maintenance_health_snapshots", "maintenance_health_tables", "maintenance_health_indexes")
HEALTH_QUERY_COLUMNS = (
    "snapshotId", "pid", "userName", "applicationName", "state", "waitEventType", "waitEvent", "queryStart",
    "durationSeconds",
)  # fmt: skip
# Text comparisons PostgreSQL ships as LEAKPROOF: a leakproof condition of the reader's own SQL may run
# as an index condition BEFORE the row-level security filter, and EXPLAIN ANALYZE's "Rows Removed by
# Filter" then counts other tenants' rows matching it (a binary search recovers their e-mails and names).
# Not leakproof, they run after the policy: the count covers only what the policy lets through.
# Changing a built-in function needs a superuser; without one the migration says so and goes on.
TEXT_COMPARISONS = (
    "texteq(text, text)", "textne(text, text)", "text_lt(text, text)", "text_le(text, text)",
    "text_gt(text, text)", "text_ge(text, text)", "text_pattern_lt(text, text)", "text_pattern_le(text, text)",
    "text_pattern_ge(text, text)", "text_pattern_gt(text, text)", "starts_with(text, text)",
    "bpchareq(character, character)", "bpcharne(character, character)", "bpcharlt(character, character)",
    "bpcharle(character, character)", "bpchargt(character, character)", "bpcharge(character, character)",
)  # fmt: skip
ACCOUNT_FUNCTIONS = (
    "prometric_login_salt(text)",
    "prometric_login_attempt(text, text, text)",
    "prometric_account(uuid)",
    "prometric_account_memberships(uuid)",
    "prometric_account_employments(uuid)",
    "prometric_tenant_viewer_is_owner()",
)


def _schema() -> str:
    return op.get_bind().execute(sa.text("SELECT quote_ident(current_schema())")).scalar_one()


def _columns(table: str) -> list[str]:
    rows = op.get_bind().execute(
        sa.text(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = :t ORDER BY ordinal_position"
        ),
        {"t": table},
    )
    return [r[0] for r in rows]


def _quoted(columns: Sequence[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


def _set_text_comparisons_leakproof(leakproof: bool) -> None:
    statements = " ".join(
        f"ALTER FUNCTION pg_catalog.{f} {'' if leakproof else 'NOT '}LEAKPROOF;" for f in TEXT_COMPARISONS
    )
    op.execute(f"""
        DO $$ BEGIN
            IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
                {statements}
            ELSE
                RAISE NOTICE 'not a superuser: text comparisons stay LEAKPROOF (docs/security.md, EXPLAIN)';
            END IF;
        END $$""")


def _replace_reader_policy(table: str, using: str) -> None:
    op.execute(f"DROP POLICY IF EXISTS reader_tenant ON {table}")
    op.execute(f"CREATE POLICY reader_tenant ON {table} FOR SELECT TO {READER} USING ({using})")


def _payroll_policy(draft_for_self: bool) -> str:
    own = f'"employeeId" = {OWN_EMPLOYEE}' + ("" if draft_for_self else " AND upper(status) <> 'DRAFT'")
    return (
        f'"organizationId" = {ORG} AND ({WORKSPACES} IS NULL OR "workspaceId" = ANY ({WORKSPACES}::uuid[]))'
        f" AND ({ACCESS} = 'all' OR ({ACCESS} = 'self' AND {own}))"
    )


def _audit_policy(schema: str) -> str:
    entities = ", ".join(f"'{e}'" for e in HR_AUDIT_ENTITIES)
    return (
        f'"organizationId" = {ORG}'
        f' AND NOT {schema}.prometric_audit_carries_credentials("oldValue", "newValue")'
        f" AND ({ACCESS} = 'all' OR (lower(entity) <> ALL (ARRAY[{entities}])"
        f' AND NOT {schema}.prometric_audit_carries_personal_data("oldValue", "newValue")))'
    )


def _previous_audit_policy() -> str:
    entities = ", ".join(f"'{e}'" for e in HR_AUDIT_ENTITIES)
    return f"\"organizationId\" = {ORG} AND ({ACCESS} = 'all' OR lower(entity) <> ALL (ARRAY[{entities}]))"


def upgrade() -> None:
    schema = _schema()

    # ---- audit values: credentials never, personal HR data with level `all` only -------------------
    for name, pattern in (
        ("prometric_audit_carries_credentials", CREDENTIAL_PATTERN),
        ("prometric_audit_carries_personal_data", PERSONAL_PATTERN),
    ):
        literal = pattern.replace("'", "''")
        op.execute(f"""
            CREATE FUNCTION {name}(old_value jsonb, new_value jsonb) RETURNS boolean
            LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
                SELECT coalesce(old_value::text, '') || ' ' || coalesce(new_value::text, '') ~* '{literal}'
            $$""")
        op.execute(f"GRANT EXECUTE ON FUNCTION {name}(jsonb, jsonb) TO {READER}, {JOBS}")
    _replace_reader_policy("audit_logs", _audit_policy(schema))

    # ---- notifications: one's own; others' with `all`, never others' payroll notices -----------------
    _replace_reader_policy(
        "notifications",
        'EXISTS (SELECT 1 FROM users p WHERE p.id = notifications."userId")'
        f' AND ("userId" = {VIEWER}'
        f" OR ({ACCESS} = 'all' AND coalesce(lower(category), '') <> 'payroll'))",
    )

    # ---- payroll: `self` sees its own payslips once approved, never a DRAFT ---------------------------
    _replace_reader_policy("payroll", _payroll_policy(draft_for_self=False))

    # ---- the organization's owner (Database page): its creator or an employee with organizationRole owner
    op.execute(f"""
        CREATE FUNCTION prometric_tenant_viewer_is_owner() RETURNS boolean
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
            SELECT coalesce(
                EXISTS (SELECT 1 FROM {schema}.organizations o
                        WHERE o.id = {schema}.prometric_tenant_organization()
                          AND o."createdBy" = {schema}.prometric_tenant_viewer_user())
                OR EXISTS (SELECT 1 FROM {schema}.employees e
                           WHERE e."organizationId" = {schema}.prometric_tenant_organization()
                             AND e."userId" = {schema}.prometric_tenant_viewer_user()
                             AND e."deletedAt" IS NULL AND lower(e."organizationRole") = 'owner'),
                false)
        $$""")
    for table in HEALTH_TABLES:
        op.execute(f"GRANT SELECT ON {table} TO {READER}")
        op.execute(
            f"CREATE POLICY reader_owner ON {table} FOR SELECT TO {READER} "
            "USING ((SELECT prometric_tenant_viewer_is_owner()))"
        )
    op.execute(f"GRANT SELECT ({_quoted(HEALTH_QUERY_COLUMNS)}) ON maintenance_health_queries TO {READER}")
    op.execute(
        f"CREATE POLICY reader_owner ON maintenance_health_queries FOR SELECT TO {READER} "
        "USING ((SELECT prometric_tenant_viewer_is_owner()))"
    )

    # ---- sign-in: the hash never leaves the database ------------------------------------------------
    # The account an e-mail logs into (find_login_user.sql): case-insensitive, exact spelling first.
    account = f"""
        SELECT u.id, u.password FROM {schema}.users u
        WHERE lower(u.email) = lower(btrim(login_email)) AND u."deletedAt" IS NULL AND coalesce(u."isActive", true)
        ORDER BY u.email = btrim(login_email) DESC, u.id LIMIT 1"""
    # bcrypt's setting ($2b$NN$ + 22 salt characters) of the account; for an unknown e-mail (or a
    # non-bcrypt legacy value) a made-up one at the login cost that stays the same for that e-mail, so
    # the answer does not tell whether the account exists.
    op.execute(f"""
        CREATE FUNCTION prometric_login_salt(login_email text) RETURNS text
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
        DECLARE
            stored text;
            digest bytea;
        BEGIN
            SELECT a.password INTO stored FROM ({account}) a;
            IF stored ~ '^\\$2[aby]\\$[0-9][0-9]\\$[./A-Za-z0-9]{{53}}$' THEN
                RETURN left(stored, 29);
            END IF;
            digest := sha256(convert_to(coalesce((SELECT k.key FROM {schema}.security_tenant_keys k
                                                  WHERE k."retiredAt" IS NULL ORDER BY k."createdAt" LIMIT 1), '')
                                        || '|login|' || lower(btrim(login_email)), 'UTF8'));
            RETURN '$2b${LOGIN_ROUNDS:02d}$'
                || translate(left(encode(digest, 'base64'), 21),
                             'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
                             './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')
                || substr('.Oeu', get_byte(digest, 20) % 4 + 1, 1);
        END $$""")
    # One attempt at the clock `at`: the lock-out (5 failures within 15 minutes lock the e-mail for 15
    # minutes), the comparison of the candidate (bcrypt of the typed password under the salt above) with
    # the stored hash, and on success the stored hash replaced by `rehash` when that is a bcrypt hash of a
    # higher cost (the caller made it from the password it just proved).
    op.execute(f"""
        CREATE FUNCTION prometric_login_attempt_at(login_email text, candidate text, rehash text, at timestamp)
        RETURNS TABLE (outcome text, user_id uuid, locked_until timestamp, failed_attempts integer)
        LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
        DECLARE
            lock_key text := lower(btrim(login_email));
            state {schema}.security_account_locks%ROWTYPE;
            found_id uuid;
            stored text;
            failures integer;
            until timestamp;
        BEGIN
            INSERT INTO {schema}.security_account_locks (email) VALUES (lock_key) ON CONFLICT DO NOTHING;
            SELECT * INTO state FROM {schema}.security_account_locks l WHERE l.email = lock_key FOR UPDATE;
            IF state."lockedUntil" IS NOT NULL AND state."lockedUntil" > at THEN
                RETURN QUERY SELECT 'locked'::text, NULL::uuid, state."lockedUntil", state."failedAttempts";
                RETURN;
            END IF;
            SELECT a.id, a.password INTO found_id, stored FROM ({account}) a;
            IF found_id IS NOT NULL AND stored ~ '^\\$2[aby]\\$' AND candidate IS NOT NULL
               AND length(candidate) = 60 AND substr(candidate, 30) = substr(stored, 30)
               AND left(candidate, 29) = left(stored, 29) THEN
                UPDATE {schema}.security_account_locks l
                SET "failedAttempts" = 0, "lockedUntil" = NULL, "updatedAt" = at WHERE l.email = lock_key;
                UPDATE {schema}.users u SET "lastLoginAt" = at,
                    password = CASE WHEN rehash ~ '^\\$2b\\$[0-9][0-9]\\$[./A-Za-z0-9]{{53}}$'
                                         AND substr(rehash, 5, 2)::int > substr(stored, 5, 2)::int
                                    THEN rehash ELSE u.password END
                WHERE u.id = found_id;
                RETURN QUERY SELECT 'ok'::text, found_id, NULL::timestamp, 0;
                RETURN;
            END IF;
            failures := CASE WHEN state."lockedUntil" IS NOT NULL
                                  OR state."lastFailedAt" <= at - interval '15 minutes'
                             THEN 1 ELSE state."failedAttempts" + 1 END;
            until := CASE WHEN failures >= 5 THEN at + interval '15 minutes' END;
            UPDATE {schema}.security_account_locks l
            SET "failedAttempts" = failures, "lastFailedAt" = at, "lockedUntil" = until, "updatedAt" = at
            WHERE l.email = lock_key;
            RETURN QUERY SELECT CASE WHEN until IS NULL THEN 'invalid' ELSE 'locked' END, NULL::uuid, until, failures;
        END $$""")
    # the server's clock, in UTC like every timestamp of the schema: a caller cannot choose it
    op.execute(
        """
        CREATE FUNCTION prometric_login_attempt(login_email text, candidate text, rehash text)
        RETURNS TABLE (outcome text, user_id uuid, locked_until timestamp, failed_attempts integer)
        LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
            SELECT * FROM prometric_login_attempt_at(login_email, candidate, rehash,
                                                     (clock_timestamp() AT TIME ZONE 'UTC')::timestamp)
        $$""".replace("prometric_login_attempt_at", f"{schema}.prometric_login_attempt_at")
    )
    # The signed-in user's name and memberships (dashboards/viewer.sql, memberships.sql, employee_records.sql)
    op.execute(f"""
        CREATE FUNCTION prometric_account(account uuid)
        RETURNS TABLE (id uuid, email text, "firstName" text, "lastName" text, "isActive" boolean)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
            SELECT u.id, u.email::text, u."firstName"::text, u."lastName"::text, u."isActive"
            FROM {schema}.users u WHERE u.id = account AND u."deletedAt" IS NULL
        $$""")
    op.execute(f"""
        CREATE FUNCTION prometric_account_memberships(account uuid)
        RETURNS TABLE (organization_id uuid, organization text, workspace_id uuid, workspace text, membership text)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
            SELECT o.id, o.name::text, w.id, w.name::text, lower(wu.role)::text
            FROM {schema}.workspace_users wu
            JOIN {schema}.workspaces w ON w.id = wu."workspaceId"
            JOIN {schema}.organizations o ON o.id = w."organizationId"
            WHERE wu."userId" = account AND wu."isActive" AND w."deletedAt" IS NULL AND o."deletedAt" IS NULL
            UNION
            SELECT o.id, o.name::text, w.id, w.name::text, 'employee'
            FROM {schema}.employees e
            JOIN {schema}.workspaces w ON w.id = e."workspaceId" AND w."organizationId" = e."organizationId"
            JOIN {schema}.organizations o ON o.id = e."organizationId"
            WHERE e."userId" = account AND e."deletedAt" IS NULL AND w."deletedAt" IS NULL AND o."deletedAt" IS NULL
            UNION
            SELECT o.id, o.name::text, w.id, w.name::text, 'creator'
            FROM {schema}.organizations o
            JOIN {schema}.workspaces w ON w."organizationId" = o.id
            WHERE o."createdBy" = account AND w."deletedAt" IS NULL AND o."deletedAt" IS NULL
            ORDER BY 2, 4
        $$""")
    op.execute(f"""
        CREATE FUNCTION prometric_account_employments(account uuid)
        RETURNS TABLE (organization_id uuid, employee_id uuid, organization_role text)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
            SELECT e."organizationId", e.id, lower(e."organizationRole")::text
            FROM {schema}.employees e
            JOIN {schema}.organizations o ON o.id = e."organizationId"
            WHERE e."userId" = account AND e."deletedAt" IS NULL AND o."deletedAt" IS NULL
        $$""")
    op.execute("REVOKE ALL ON FUNCTION prometric_login_attempt_at(text, text, text, timestamp) FROM PUBLIC")
    for function in ACCOUNT_FUNCTIONS:
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {function} TO {READER}")

    _set_text_comparisons_leakproof(False)

    # ---- the jobs login: no credentials, no roles, no memberships ---------------------------------
    op.execute(f"REVOKE ALL ON users, refresh_tokens, email_verifications FROM {JOBS}")
    op.execute(f"GRANT SELECT ({_quoted(USERS_COLUMNS_BUT_PASSWORD)}) ON users TO {JOBS}")
    for table in ("refresh_tokens", "email_verifications"):
        columns = [c for c in _columns(table) if c != "token"]
        op.execute(f"GRANT SELECT ({_quoted(columns)}) ON {table} TO {JOBS}")
        op.execute(f"GRANT DELETE ON {table} TO {JOBS}")  # clearing expired ones
    op.execute(f"REVOKE INSERT, UPDATE, DELETE ON workspace_users, organizations, workspaces, employees FROM {JOBS}")
    op.execute(f"GRANT UPDATE ({_quoted(EMPLOYEE_UPDATABLE)}) ON employees TO {JOBS}")
    op.execute(f"REVOKE ALL ON security_account_locks FROM {JOBS}")


def downgrade() -> None:
    _set_text_comparisons_leakproof(True)
    for table in ("users", "refresh_tokens", "email_verifications", "workspace_users", "organizations",
                  "workspaces", "employees", "security_account_locks"):  # fmt: skip
        op.execute(f"REVOKE ALL ON {table} FROM {JOBS}")
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {JOBS}")
    for function in ACCOUNT_FUNCTIONS:
        if function != "prometric_tenant_viewer_is_owner()":  # the policies below still use it
            op.execute(f"DROP FUNCTION {function}")
    op.execute("DROP FUNCTION prometric_login_attempt_at(text, text, text, timestamp)")
    for table in (*HEALTH_TABLES, "maintenance_health_queries"):
        op.execute(f"DROP POLICY IF EXISTS reader_owner ON {table}")
        op.execute(f"REVOKE ALL ON {table} FROM {READER}")
    op.execute("DROP FUNCTION prometric_tenant_viewer_is_owner()")
    _replace_reader_policy("notifications", 'EXISTS (SELECT 1 FROM users p WHERE p.id = notifications."userId")')
    _replace_reader_policy("audit_logs", _previous_audit_policy())
    _replace_reader_policy("payroll", _payroll_policy(draft_for_self=True))
    op.execute("DROP FUNCTION prometric_audit_carries_credentials(jsonb, jsonb)")
    op.execute("DROP FUNCTION prometric_audit_carries_personal_data(jsonb, jsonb)")
