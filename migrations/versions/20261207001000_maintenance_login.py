"""maintenance login: `prometric_maintenance` for VACUUM, ANALYZE, REINDEX, backups, their restore check,
health snapshots and the run supervisor, so no process but the migration holds the owner's URL

* reads every table (row-level security through a read-only policy per table, for `pg_dump
  --enable-row-security`) but `security_tenant_keys`, whose rows backups leave out;
* `pg_maintain` (PostgreSQL 17+: VACUUM, ANALYZE, REINDEX and LOCK TABLE on every table),
  `pg_read_all_stats` (other sessions' queries and the statistics views), `pg_signal_backend` (the run
  supervisor cancels a stopped run's sessions), CREATEDB (the restore check's scratch database);
* writes only the health snapshot tables;
* drops the invalid index copies a failed `REINDEX CONCURRENTLY` leaves through
  `prometric_drop_invalid_index(name)`, a SECURITY DEFINER function that drops nothing else.

Role attributes and built-in role memberships need a superuser (or CREATEROLE): without one the migration
says so (NOTICE) and goes on (docs/security.md, "Logins").

Revision ID: 20261207001000
Revises: 20261207000800
Create Date: 2026-12-06 23:00:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "20261207001000"
down_revision: str | None = "20261207000800"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MAINTENANCE = "prometric_maintenance"
HEALTH_TABLES = (
    "maintenance_health_snapshots", "maintenance_health_tables", "maintenance_health_indexes",
    "maintenance_health_queries",
)  # fmt: skip
SECRET_TABLES = ("security_tenant_keys",)
BUILT_IN_ROLES = ("pg_maintain", "pg_read_all_stats", "pg_signal_backend")


def _schema() -> str:
    return op.get_bind().exec_driver_sql("SELECT current_schema()").scalar_one()


def _rls_tables() -> list[str]:
    return list(
        op.get_bind()
        .exec_driver_sql(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relrowsecurity "
            "ORDER BY c.relname"
        )
        .scalars()
    )


def upgrade() -> None:
    schema = _schema()
    op.execute(f"""
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{MAINTENANCE}') THEN
                CREATE ROLE {MAINTENANCE} NOLOGIN;
            END IF;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END $$""")
    # built-in roles that exist on this server (pg_maintain from PostgreSQL 17) and CREATEDB
    op.execute(f"""
        DO $$
        DECLARE
            built_in text;
        BEGIN
            FOREACH built_in IN ARRAY ARRAY{list(BUILT_IN_ROLES)!r}::text[] LOOP
                IF EXISTS (SELECT FROM pg_roles WHERE rolname = built_in) THEN
                    EXECUTE format('GRANT %I TO {MAINTENANCE}', built_in);
                END IF;
            END LOOP;
            ALTER ROLE {MAINTENANCE} CREATEDB;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE '{MAINTENANCE}: not allowed to grant built-in roles or CREATEDB here; an administrator must '
                         '(docs/security.md, Logins)';
        END $$""")
    op.execute(f"GRANT USAGE ON SCHEMA {schema} TO {MAINTENANCE}")
    op.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {MAINTENANCE}")
    op.execute(f"GRANT SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {MAINTENANCE}")
    # tables later migrations create are readable too (their policies are checked by the backup and a test)
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT ON TABLES TO {MAINTENANCE}")
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT ON SEQUENCES TO {MAINTENANCE}")
    for table in SECRET_TABLES:
        op.execute(f"REVOKE ALL ON {table} FROM {MAINTENANCE}")
    for table in _rls_tables():
        if table not in SECRET_TABLES:
            op.execute(f"CREATE POLICY maintenance_read ON {table} FOR SELECT TO {MAINTENANCE} USING (true)")
    for table in HEALTH_TABLES:
        op.execute(f"GRANT INSERT, UPDATE, DELETE ON {table} TO {MAINTENANCE}")
        op.execute(f"CREATE POLICY maintenance_write ON {table} TO {MAINTENANCE} USING (true) WITH CHECK (true)")

    # DROP INDEX needs the table's owner: this function drops only an invalid copy a failed
    # REINDEX CONCURRENTLY left (<name>_ccnew/_ccold…) in this schema (named as reindex_leftovers.sql names it),
    # and waits at most 5 s (or the caller's shorter lock_timeout) for the table's lock: a busy table keeps its copy
    # until the next run
    op.execute(f"""
        CREATE FUNCTION prometric_drop_invalid_index(qualified_name text) RETURNS boolean
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
        DECLARE
            found_index regclass;
        BEGIN
            -- the caller's lock_timeout when shorter, else 5 s: a waiting ACCESS EXCLUSIVE request queues
            -- every reader of the table behind it
            IF current_setting('lock_timeout')::interval = interval '0'
               OR current_setting('lock_timeout')::interval > interval '5 seconds' THEN
                PERFORM set_config('lock_timeout', '5s', true);
            END IF;
            SELECT c.oid::regclass INTO found_index
            FROM pg_index i
            JOIN pg_class c ON c.oid = i.indexrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = '{schema}' AND format('%I.%I', n.nspname, c.relname) = qualified_name
              AND NOT i.indisvalid AND c.relname ~ '_cc(new|old)[0-9]*$';
            IF found_index IS NULL THEN
                RETURN false;
            END IF;
            EXECUTE format('DROP INDEX %s', found_index);
            RETURN true;
        END $$""")
    op.execute("REVOKE ALL ON FUNCTION prometric_drop_invalid_index(text) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION prometric_drop_invalid_index(text) TO {MAINTENANCE}")


def downgrade() -> None:
    schema = _schema()
    op.execute("DROP FUNCTION IF EXISTS prometric_drop_invalid_index(text)")
    for table in _rls_tables():
        op.execute(f"DROP POLICY IF EXISTS maintenance_read ON {table}")
        op.execute(f"DROP POLICY IF EXISTS maintenance_write ON {table}")
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} REVOKE SELECT ON TABLES FROM {MAINTENANCE}")
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} REVOKE SELECT ON SEQUENCES FROM {MAINTENANCE}")
    op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {MAINTENANCE}")
    op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {MAINTENANCE}")
    op.execute(f"REVOKE ALL ON SCHEMA {schema} FROM {MAINTENANCE}")
    # the role is cluster-wide: other databases of the server may still use it (as the other logins' downgrade)
    op.execute(f"""
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT FROM pg_shdepend d JOIN pg_roles r ON r.oid = d.refobjid
                           WHERE r.rolname = '{MAINTENANCE}')
               AND NOT (SELECT rolcanlogin FROM pg_roles WHERE rolname = '{MAINTENANCE}') THEN
                DROP ROLE {MAINTENANCE};
            END IF;
        END $$""")
