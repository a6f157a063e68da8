"""append-only archive manifests, restore links, and audit values stored without top-level secrets

* `audit_log_archives` becomes append-only for every login but the table's owner (the migrations;
  a superuser could disable the trigger anyway): `prometric_jobs` loses UPDATE/DELETE/TRUNCATE, and
  a trigger refuses them for anyone else who was granted them. A restore is a new link of the chain
  (`action = 'restore'`, `restoresId` = the restored manifest) instead of setting `restoredAt`,
  which stays for the links restored before this revision.
* `audit_logs`: a trigger replaces the value of every top-level secret-named key of `oldValue` and
  `newValue` (`{"password": "<bcrypt hash>"}` as the ERP logs a password change), and bcrypt/argon2
  hashes inside top-level strings, by "***" when a row is written; the existing rows are masked once.
  So no login reads a hash out of the audit log (`oldValue->>'password'`). Deeper shapes are masked
  when read (security/masking.py).

Revision ID: 20261206200500
Revises: 20261206200300
Create Date: 2026-12-06 20:05:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261206200500"
down_revision: str | None = "20261206200300"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JOBS = "prometric_jobs"

# The SQL twin of security.masking.is_secret_key for one key (camelCase split into words first).
_SECRET_KEY = r"""
    lower(regexp_replace(key, '[_\-\s.]', '', 'g'))
        ~ ('(password|passwd|passphrase|passcode|token|secret|apikey|authorization|credential|privatekey|'
           'sessionid|verificationcode)')
    OR lower(regexp_replace(key, '([a-z0-9])([A-Z])', '\1_\2', 'g'))
        ~ '(^|[^a-z0-9])(pwd|otp|pin|cvv|cvc|cookie|pass|jwt|auth)([^a-z0-9]|$)'
"""

# bcrypt and argon2 hashes inside a top-level string value (PostgreSQL's regular expressions)
_HASH = r"\$2[abxy]?\$[0-9]{2}\$[./A-Za-z0-9]{53}|\$argon2(id|i|d)\$[A-Za-z0-9+/=,$]+"
# A cheap superset in C (a trigger's WHEN allows no subquery): an object with a key that may be secret,
# or with a string value that may hold a hash.
_CANDIDATE = (
    '$.keyvalue() ? (@.key like_regex "pass|pwd|token|secret|api.?key|auth|credential|private.?key|session.?id|'
    r'verification.?code|otp|pin|cvv|cvc|cookie|jwt" flag "i" || @.value like_regex "\\$2|\\$argon2")'
)


def _schema() -> str:
    return op.get_bind().execute(sa.text("SELECT quote_ident(current_schema())")).scalar_one()


def upgrade() -> None:
    schema = _schema()
    op.execute("""
        ALTER TABLE audit_log_archives
            ADD COLUMN action text NOT NULL DEFAULT 'archive',
            ADD COLUMN "restoresId" uuid REFERENCES audit_log_archives (id),
            ADD CONSTRAINT audit_log_archives_action_check CHECK (action IN ('archive', 'restore')),
            ADD CONSTRAINT audit_log_archives_restore_link_check
                CHECK ((action = 'restore') = ("restoresId" IS NOT NULL)),
            ADD CONSTRAINT "audit_log_archives_restoresId_key" UNIQUE ("restoresId")
    """)
    # a restore link names the restored file's path again: only archive links own a path
    op.execute('ALTER TABLE audit_log_archives DROP CONSTRAINT "audit_log_archives_path_key"')
    op.execute("CREATE UNIQUE INDEX audit_log_archives_path_key ON audit_log_archives (path) WHERE action = 'archive'")

    op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_log_archives FROM {JOBS}")
    op.execute("""
        CREATE FUNCTION prometric_archive_append_only() RETURNS trigger
        LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
        BEGIN
            IF NOT pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
                RAISE EXCEPTION 'audit_log_archives is append-only: % is refused (a restore adds a link)', TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        END
        $$
    """)
    op.execute("""
        CREATE TRIGGER audit_log_archives_append_only BEFORE UPDATE OR DELETE ON audit_log_archives
        FOR EACH ROW EXECUTE FUNCTION prometric_archive_append_only()
    """)
    op.execute("""
        CREATE TRIGGER audit_log_archives_no_truncate BEFORE TRUNCATE ON audit_log_archives
        FOR EACH STATEMENT EXECUTE FUNCTION prometric_archive_append_only()
    """)

    op.execute(f"""
        CREATE FUNCTION prometric_mask_audit_value(audit_value jsonb) RETURNS jsonb
        LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
            SELECT CASE
                WHEN jsonb_typeof(audit_value) IS DISTINCT FROM 'object' THEN audit_value
                ELSE coalesce((
                    SELECT jsonb_object_agg(key, CASE
                        WHEN jsonb_typeof(value) = 'null' THEN value
                        WHEN ({_SECRET_KEY}) THEN to_jsonb('***'::text)
                        WHEN jsonb_typeof(value) = 'string' AND (value #>> '{{}}') ~ '{_HASH}'
                            THEN to_jsonb(regexp_replace(value #>> '{{}}', '{_HASH}', '***', 'g'))
                        ELSE value
                    END)
                    FROM jsonb_each(audit_value)), audit_value)
            END
        $$
    """)
    op.execute(f"""
        CREATE FUNCTION prometric_mask_audit_row() RETURNS trigger
        LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
        BEGIN
            NEW."oldValue" := {schema}.prometric_mask_audit_value(NEW."oldValue");
            NEW."newValue" := {schema}.prometric_mask_audit_value(NEW."newValue");
            RETURN NEW;
        END
        $$
    """)
    op.execute(f"""
        CREATE TRIGGER audit_logs_mask_secrets BEFORE INSERT OR UPDATE OF "oldValue", "newValue" ON audit_logs
        FOR EACH ROW WHEN (jsonb_path_exists(NEW."oldValue", '{_CANDIDATE}', '{{}}', true)
                           OR jsonb_path_exists(NEW."newValue", '{_CANDIDATE}', '{{}}', true))
        EXECUTE FUNCTION prometric_mask_audit_row()
    """)
    op.execute("""
        UPDATE audit_logs
        SET "oldValue" = prometric_mask_audit_value("oldValue"), "newValue" = prometric_mask_audit_value("newValue")
        WHERE "oldValue" IS DISTINCT FROM prometric_mask_audit_value("oldValue")
           OR "newValue" IS DISTINCT FROM prometric_mask_audit_value("newValue")
    """)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_logs_mask_secrets ON audit_logs")
    op.execute("DROP FUNCTION IF EXISTS prometric_mask_audit_row()")
    op.execute("DROP FUNCTION IF EXISTS prometric_mask_audit_value(jsonb)")
    op.execute("DROP TRIGGER IF EXISTS audit_log_archives_no_truncate ON audit_log_archives")
    op.execute("DROP TRIGGER IF EXISTS audit_log_archives_append_only ON audit_log_archives")
    op.execute("DROP FUNCTION IF EXISTS prometric_archive_append_only()")
    # back to the edit-in-place form: a restored manifest gets its restore link's time; the restore
    # links stay (the chain keeps its positions), marked restored and with a path of their own (the old
    # schema's paths are unique), so nothing reads them as files
    op.execute("""
        UPDATE audit_log_archives m
        SET "restoredAt" = r."archivedAt"
        FROM audit_log_archives r
        WHERE r."restoresId" = m.id AND m."restoredAt" IS NULL
    """)
    op.execute("""UPDATE audit_log_archives SET "restoredAt" = "archivedAt" WHERE action = 'restore'""")
    op.execute("""UPDATE audit_log_archives SET path = path || '#restore-link-' || id WHERE action = 'restore'""")
    op.execute("DROP INDEX IF EXISTS audit_log_archives_path_key")
    op.execute("""
        ALTER TABLE audit_log_archives
            DROP CONSTRAINT "audit_log_archives_restoresId_key",
            DROP CONSTRAINT audit_log_archives_restore_link_check,
            DROP CONSTRAINT audit_log_archives_action_check,
            DROP COLUMN "restoresId",
            DROP COLUMN action
    """)
    op.execute("ALTER TABLE audit_log_archives ADD CONSTRAINT audit_log_archives_path_key UNIQUE (path)")
    op.execute(f"GRANT UPDATE, DELETE ON audit_log_archives TO {JOBS}")
