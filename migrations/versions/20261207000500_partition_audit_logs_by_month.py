"""audit_logs range-partitioned by month on createdAt (same name, columns and index names)

Archival exports a month in one scan for all organizations and, once every organization's rows of
the month are archived, detaches and drops the month's partition instead of deleting its rows
(docs/audit.md, docs/schema-notes.md "audit_logs partitioned by month").

* The primary key becomes (`id`, `createdAt`): a partitioned table's unique keys must contain the
  partition key, so `createdAt` becomes NOT NULL. Rows without one stop the upgrade with a clear
  message (nothing is changed): their age is unknown and inventing one would change the audit log.
* One partition per month that has rows, the current month and the next three
  (`audit_logs_yYYYYmMM`), and `audit_logs_default` for any other date, so an insert never fails
  whatever its date (the ERP, the generator and tests write rows with old dates).
  `prometric_audit_ensure_partitions(months_ahead)` (run by every archive run) gives each month
  found in the default partition, and the coming months, a partition of its own, moving the rows.
* `prometric_audit_drop_archived_month(month, run_key)` detaches and drops a month's partition only
  when, per organization, the partition's rows (count and id checksum, under a lock that keeps
  writers out) equal the manifests that run committed for that month.
* Everything the table had is carried over from the catalog: indexes (same names, same
  definitions), foreign keys, the masking trigger, row-level security and its policies, grants.
  Partitions have no grants and row-level security without policies: every login reads them through
  `audit_logs` and its policies.

The functions are SECURITY DEFINER (partitions are the table owner's to create and drop); only
`prometric_jobs` may execute the two above (`prometric_audit_month_partition`, their helper, is the owner's).

Revision ID: 20261207000500
Revises: 20261207000400
Create Date: 2026-12-07 00:05:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261207000500"
down_revision: str | None = "20261207000400"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JOBS = "prometric_jobs"
TABLE = "audit_logs"
STAGING = "audit_logs_rebuild"  # the new table while the rows are copied
MONTHS_AHEAD = 3


def _schema() -> str:
    return op.get_bind().execute(sa.text("SELECT quote_ident(current_schema())")).scalar_one()


def _scalars(query: str) -> list:
    return list(op.get_bind().execute(sa.text(query), {"t": TABLE}).scalars())


def _carried_over() -> dict[str, list[str]]:
    """The statements that give a rebuilt `audit_logs` what the table has now (read from the catalog)."""
    table = "CAST(:t AS regclass)"
    incoming = _scalars(
        f"SELECT conname FROM pg_constraint WHERE confrelid = {table} AND contype = 'f' AND conparentid = 0"
    )
    if incoming:
        raise RuntimeError(f"foreign keys reference audit_logs ({', '.join(incoming)}): not supported by this revision")
    return {
        "indexes": _scalars(
            f"SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = {table} AND NOT i.indisprimary"
        ),
        "foreign_keys": _scalars(
            "SELECT format('ALTER TABLE audit_logs ADD CONSTRAINT %I %s', conname, pg_get_constraintdef(oid))"
            f" FROM pg_constraint WHERE conrelid = {table} AND contype IN ('f', 'c') ORDER BY conname"
        ),
        "triggers": _scalars(
            f"SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = {table} AND NOT tgisinternal"
        ),
        "security": _scalars(
            f"SELECT 'ALTER TABLE audit_logs ENABLE ROW LEVEL SECURITY' FROM pg_class WHERE oid = {table}"
            " AND relrowsecurity UNION ALL"
            f" SELECT 'ALTER TABLE audit_logs FORCE ROW LEVEL SECURITY' FROM pg_class WHERE oid = {table}"
            " AND relforcerowsecurity"
        ),
        "policies": _scalars(
            "SELECT format('CREATE POLICY %I ON audit_logs AS %s FOR %s TO %s%s%s', policyname, permissive, cmd,"
            " (SELECT string_agg(CASE WHEN r = 'public' THEN 'PUBLIC' ELSE quote_ident(r) END, ', ')"
            "  FROM unnest(roles) r),"
            " ' USING (' || qual || ')', ' WITH CHECK (' || with_check || ')')"
            " FROM pg_policies WHERE schemaname = current_schema() AND tablename = :t ORDER BY policyname"
        ),
        "grants": _scalars(
            "SELECT format('GRANT %s ON audit_logs TO %s', a.privilege_type,"
            " CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END)"
            f" FROM pg_class c, aclexplode(c.relacl) a WHERE c.oid = {table} AND a.grantee <> c.relowner"
            " UNION ALL"
            " SELECT format('GRANT %s (%I) ON audit_logs TO %s', a.privilege_type, att.attname,"
            " CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END)"
            f" FROM pg_attribute att, aclexplode(att.attacl) a WHERE att.attrelid = {table} AND att.attnum > 0"
            " AND NOT att.attisdropped"
        ),
        "comment": _scalars(
            "SELECT format('COMMENT ON TABLE audit_logs IS %L', d)"
            " FROM obj_description(CAST(:t AS regclass), 'pg_class') d WHERE d IS NOT NULL"
        ),
    }


def _rebuild(*, partitioned: bool) -> None:
    """Replaces audit_logs by a copy of itself, partitioned by month or not, keeping its rows, indexes,
    constraints, trigger, policies and grants."""
    carried = _carried_over()
    columns = ", ".join(
        f'"{c}"'
        for c in _scalars(
            "SELECT attname FROM pg_attribute WHERE attrelid = CAST(:t AS regclass) AND attnum > 0"
            " AND NOT attisdropped ORDER BY attnum"
        )
    )
    op.execute(f"LOCK TABLE {TABLE} IN EXCLUSIVE MODE")  # readers go on, writers wait for the new table
    if partitioned:
        op.execute(f"""
            CREATE TABLE {STAGING} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING STORAGE INCLUDING COMMENTS)
            PARTITION BY RANGE ("createdAt")
        """)
        op.execute(f'ALTER TABLE {STAGING} ALTER COLUMN "createdAt" SET NOT NULL')
        op.execute(f"CREATE TABLE {TABLE}_default PARTITION OF {STAGING} DEFAULT")
        months = _scalars(
            f"""SELECT DISTINCT CAST(date_trunc('month', "createdAt") AS date) FROM {TABLE}
                UNION SELECT CAST(date_trunc('month', now()) + n * interval '1 month' AS date)
                FROM generate_series(0, {MONTHS_AHEAD}) n
                ORDER BY 1"""
        )
        for month in months:
            op.execute(
                f"CREATE TABLE {TABLE}_y{month:%Y}m{month:%m} PARTITION OF {STAGING}"
                f" FOR VALUES FROM ('{month.isoformat()}') TO ('{_next_month(month).isoformat()}')"
            )
        for partition in (*(f"{TABLE}_y{m:%Y}m{m:%m}" for m in months), f"{TABLE}_default"):
            # never read directly (no grants); should one be granted by mistake, it shows no row
            op.execute(f"ALTER TABLE {partition} ENABLE ROW LEVEL SECURITY")
    else:
        op.execute(f"CREATE TABLE {STAGING} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING STORAGE INCLUDING COMMENTS)")
        op.execute(f'ALTER TABLE {STAGING} ALTER COLUMN "createdAt" DROP NOT NULL')
    # rows first, then keys, indexes and the trigger (the rows are already masked: no trigger per row)
    op.execute(f'INSERT INTO {STAGING} ({columns}) SELECT {columns} FROM {TABLE} ORDER BY "createdAt"')
    op.execute(f"DROP TABLE {TABLE}")
    op.execute(f"ALTER TABLE {STAGING} RENAME TO {TABLE}")
    key = 'id, "createdAt"' if partitioned else "id"
    op.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY ({key})")
    for group in ("indexes", "foreign_keys", "triggers", "security", "policies", "grants", "comment"):
        for statement in carried[group]:
            op.execute(statement)


def _next_month(month):
    return month.replace(year=month.year + month.month // 12, month=month.month % 12 + 1)


def _functions(schema: str) -> None:
    # the partition of one month, created when missing; rows of that month waiting in the default
    # partition move into it (the default partition is locked meanwhile so none arrive there)
    op.execute(f"""
        CREATE FUNCTION prometric_audit_month_partition(p_month date) RETURNS regclass
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
        DECLARE
            v_start timestamp := date_trunc('month', p_month);
            v_end timestamp := date_trunc('month', p_month) + interval '1 month';
            v_name text := format('audit_logs_y%sm%s', to_char(v_start, 'YYYY'), to_char(v_start, 'MM'));
            v_existing regclass := to_regclass(format('{schema}.%I', v_name));
        BEGIN
            IF v_existing IS NOT NULL THEN
                RETURN v_existing;
            END IF;
            LOCK TABLE {schema}.audit_logs_default IN EXCLUSIVE MODE;
            EXECUTE format('CREATE TABLE {schema}.%I (LIKE {schema}.audit_logs INCLUDING DEFAULTS)', v_name);
            EXECUTE format('ALTER TABLE {schema}.%I ADD CONSTRAINT %I CHECK ("createdAt" >= %L AND "createdAt" < %L)',
                           v_name, v_name || '_range', v_start, v_end);
            EXECUTE format('WITH moved AS (DELETE FROM {schema}.audit_logs_default WHERE "createdAt" >= %L'
                           ' AND "createdAt" < %L RETURNING *) INSERT INTO {schema}.%I SELECT * FROM moved',
                           v_start, v_end, v_name);
            EXECUTE format('ALTER TABLE {schema}.audit_logs ATTACH PARTITION {schema}.%I FOR VALUES FROM (%L) TO (%L)',
                           v_name, v_start, v_end);
            EXECUTE format('ALTER TABLE {schema}.%I DROP CONSTRAINT %I', v_name, v_name || '_range');
            EXECUTE format('ALTER TABLE {schema}.%I ENABLE ROW LEVEL SECURITY', v_name);
            -- backups read partitions directly (pg_dump): the maintenance login's read policy, as on every table
            IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'prometric_maintenance') THEN
                EXECUTE format('CREATE POLICY maintenance_read ON {schema}.%I FOR SELECT TO prometric_maintenance'
                               ' USING (true)', v_name);
            END IF;
            RETURN to_regclass(format('{schema}.%I', v_name));
        END
        $$
    """)
    op.execute(f"""
        CREATE FUNCTION prometric_audit_ensure_partitions(p_months_ahead integer) RETURNS integer
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
        DECLARE
            v_month date;
            v_created integer := 0;
        BEGIN
            FOR v_month IN
                SELECT DISTINCT CAST(date_trunc('month', "createdAt") AS date) FROM {schema}.audit_logs_default
                UNION
                SELECT CAST(date_trunc('month', now()) + n * interval '1 month' AS date)
                FROM generate_series(0, least(greatest(p_months_ahead, 0), 24)) n
                ORDER BY 1
            LOOP
                IF to_regclass(format('{schema}.audit_logs_y%sm%s', to_char(v_month, 'YYYY'),
                                      to_char(v_month, 'MM'))) IS NULL THEN
                    PERFORM {schema}.prometric_audit_month_partition(v_month);
                    v_created := v_created + 1;
                END IF;
            END LOOP;
            RETURN v_created;
        END
        $$
    """)
    # Retention of a month archived whole: per organization (NULL: the rows without one), the
    # partition's rows must equal the archive links `p_run_key` committed for the month (in the
    # caller's transaction); then the partition is detached and dropped. NULL: not provable (no such
    # partition, or rows the run did not archive) and nothing changed.
    op.execute(f"""
        CREATE FUNCTION prometric_audit_drop_archived_month(p_month date, p_run_key text) RETURNS bigint
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
        DECLARE
            v_start timestamp := date_trunc('month', p_month);
            v_name text := format('audit_logs_y%sm%s', to_char(v_start, 'YYYY'), to_char(v_start, 'MM'));
            v_partition regclass := to_regclass(format('{schema}.%I', v_name));
            v_no_organization uuid := '00000000-0000-0000-0000-000000000000';  -- the rows without one, in the join
            v_mismatches bigint;
            v_rows bigint;
        BEGIN
            IF v_partition IS NULL OR NOT EXISTS (
                SELECT 1 FROM pg_inherits i WHERE i.inhrelid = v_partition
                  AND i.inhparent = CAST('{schema}.audit_logs' AS regclass)
                  AND pg_get_expr((SELECT relpartbound FROM pg_class WHERE oid = v_partition), v_partition)
                      = format('FOR VALUES FROM (%L) TO (%L)', v_start, v_start + interval '1 month')) THEN
                RETURN NULL;
            END IF;
            EXECUTE format('LOCK TABLE %s IN SHARE MODE', v_partition);  -- no writes until the drop
            EXECUTE format($q$
                WITH live AS (
                    SELECT a."organizationId" AS organization_id, count(*) AS row_count,
                           sum(('x' || left(md5(a.id::text), 15))::bit(60)::bigint) AS checksum
                    FROM %s a GROUP BY 1),
                archived AS (
                    SELECT m."organizationId" AS organization_id, sum(m."rowCount") AS row_count,
                           sum(CAST(m."contentChecksum" AS numeric)) AS checksum
                    FROM {schema}.audit_log_archives m
                    WHERE m."runKey" = $1 AND m.action = 'archive' AND m.year = $2 AND m.month = $3
                    GROUP BY 1)
                SELECT count(*) FILTER (WHERE l.row_count IS DISTINCT FROM a.row_count
                                           OR l.checksum IS DISTINCT FROM a.checksum),
                       coalesce(sum(l.row_count), 0)
                FROM live l FULL JOIN archived a
                  ON coalesce(l.organization_id, CAST(%L AS uuid)) = coalesce(a.organization_id, CAST(%L AS uuid))
                $q$, v_partition, v_no_organization, v_no_organization)
            INTO v_mismatches, v_rows
            USING p_run_key, extract(year FROM v_start)::integer, extract(month FROM v_start)::integer;
            IF v_mismatches > 0 THEN
                RETURN NULL;
            END IF;
            EXECUTE format('ALTER TABLE {schema}.audit_logs DETACH PARTITION %s', v_partition);
            EXECUTE format('DROP TABLE %s', v_partition);
            RETURN v_rows;
        END
        $$
    """)
    op.execute("REVOKE ALL ON FUNCTION prometric_audit_month_partition(date) FROM PUBLIC")  # the owner's helper
    for signature in ("prometric_audit_ensure_partitions(integer)", "prometric_audit_drop_archived_month(date, text)"):
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {signature} TO {JOBS}")


def upgrade() -> None:
    unknown_age = op.get_bind().execute(sa.text(f'SELECT count(*) FROM {TABLE} WHERE "createdAt" IS NULL')).scalar()
    if unknown_age:
        raise RuntimeError(
            f'{unknown_age} audit_logs rows have no "createdAt": the partitioned table needs one for every row. '
            'Set it (e.g. UPDATE audit_logs SET "createdAt" = <a known time> WHERE "createdAt" IS NULL) and '
            "migrate again; nothing was changed."
        )
    _rebuild(partitioned=True)
    _functions(_schema())


def downgrade() -> None:
    op.execute("DROP FUNCTION prometric_audit_drop_archived_month(date, text)")
    op.execute("DROP FUNCTION prometric_audit_ensure_partitions(integer)")
    op.execute("DROP FUNCTION prometric_audit_month_partition(date)")
    _rebuild(partitioned=False)
