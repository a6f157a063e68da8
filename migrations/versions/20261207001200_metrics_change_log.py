"""metrics change log: statement triggers on the tables the metrics read record the first day each change
can affect, per organization; the nightly metrics run recomputes from there (docs/metrics.md, "Nightly")

* `metric_changes` (platform table): one row per organization and writing statement — the source table
  and the earliest UTC day any old or new row of the statement can affect. Written by
  `prometric_note_metric_changes()`, a SECURITY DEFINER function behind AFTER … FOR EACH STATEMENT triggers
  with transition tables (INSERT, UPDATE, DELETE: soft and hard deletes, late data of any age, and a row
  whose date moved — its old day and its new day are both recorded). The nightly run reads the rows,
  recomputes, and deletes exactly the rows it claimed (a row committed meanwhile stays for the next run).
* `metric_nightly_state` (platform table): the last day each organization's nightly run completed, so
  a night the schedule missed is caught up.
* both: the jobs login reads and writes them; the maintenance login reads them (SELECT grant and a
  `maintenance_read` policy, as every table with row-level security).

Revision ID: 20261207001200
Revises: 20261207001000
Create Date: 2026-12-07 00:02:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "20261207001200"
down_revision: str | None = "20261207001000"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JOBS = "prometric_jobs"
MAINTENANCE = "prometric_maintenance"  # reads every table for backups (migration 20261207001000)
ALL_ORGANIZATIONS = "*"  # the organization expression of a table every organization reads (fx_rates)
NO_EARLIER_THAN = "'-infinity'::date"  # the change can affect every day of the organization's history

# table -> (organization of a row `r`, the earliest UTC day the row can affect[, a join for them[, the
# columns the metrics read]]). With columns, an UPDATE that changes none of them records nothing (an
# employee's salary, a product's description). Dimensions the metrics read as they are now (a product's
# cost or status, a warehouse, a workspace, the time zone, a target) change every day of history.
SOURCES: dict[str, tuple[str, ...]] = {
    "orders": ('r."organizationId"', 'r."orderDate"'),
    # a line has no organization nor day of its own: its order's (one hash join per statement)
    "order_items": ('o."organizationId"', 'o."orderDate"', 'JOIN orders o ON o.id = r."orderId"'),
    "customers": ('r."organizationId"', 'r."createdAt"'),
    "deals": ('r."organizationId"', 'least(r."createdAt", r."wonAt", r."lostAt")'),
    "invoices": ('r."organizationId"', 'least(r."issueDate", r."dueDate")'),
    "payments": ('r."organizationId"', 'r."paymentDate"'),
    "expenses": ('r."organizationId"', 'r."expenseDate"'),
    "stock_movements": ('r."organizationId"', 'r."createdAt"'),
    "production_orders": ('r."organizationId"', 'r."actualEndDate"'),
    "attendance": ('r."organizationId"', "r.date"),
    "leaves": ('r."organizationId"', 'least(r."startDate", r."endDate")'),
    "tasks": ('r."organizationId"', 'least(r."createdAt", r."completedAt", r."dueDate")'),
    "payroll": ('r."organizationId"', "make_date(r.year, r.month, 1)"),
    # headcount counts an employee from the hire date with today's status
    "employees": (
        'r."organizationId"', 'r."hireDate"', "", '"organizationId", "workspaceId", status, "hireDate", "deletedAt"'
    ),
    "products": (
        'r."organizationId"', NO_EARLIER_THAN, "",
        '"organizationId", "workspaceId", cost, status, type, "minStock", "deletedAt"',
    ),
    "warehouses": ('r."organizationId"', NO_EARLIER_THAN, "", '"organizationId"'),
    "workspaces": ('r."organizationId"', NO_EARLIER_THAN, "", '"organizationId", "isActive", "isDefault", "deletedAt"'),
    "kpi_definitions": ('r."organizationId"', NO_EARLIER_THAN),
    "organizations": ("r.id", NO_EARLIER_THAN, "", 'settings, "deletedAt"'),
    "fx_rates": (ALL_ORGANIZATIONS, "r.date"),
}  # fmt: skip
EVENTS = {
    "insert": ("INSERT", "NEW TABLE AS new_rows"),
    "update": ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    "delete": ("DELETE", "OLD TABLE AS old_rows"),
}


def upgrade() -> None:
    schema = op.get_bind().exec_driver_sql("SELECT current_schema()").scalar_one()
    op.execute("""
        CREATE TABLE metric_changes (
            id bigserial PRIMARY KEY,
            -- no foreign key: deleting an organization records its own (ignored) change
            "organizationId" uuid NOT NULL,
            source text NOT NULL,
            "firstDay" date NOT NULL,
            "recordedAt" timestamp DEFAULT CURRENT_TIMESTAMP,
            -- the nightly run that took the row (its Dagster run id); NULL: not taken yet
            "claimedBy" text
        )""")
    op.execute('CREATE INDEX idx_metric_changes_org ON metric_changes ("organizationId", "firstDay")')
    op.execute("""
        CREATE TABLE metric_nightly_state (
            "organizationId" uuid PRIMARY KEY,  -- no foreign key: the generator truncates organizations
            "lastDay" date NOT NULL,
            "runId" text NOT NULL,
            "completedAt" timestamp DEFAULT CURRENT_TIMESTAMP
        )""")
    for table in ("metric_changes", "metric_nightly_state"):
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {JOBS}")
        op.execute(f"CREATE POLICY jobs_all_tenants ON {table} TO {JOBS} USING (true) WITH CHECK (true)")
        # like every table with row-level security: the maintenance login reads it all (backups)
        op.execute(f"GRANT SELECT ON {table} TO {MAINTENANCE}")
        op.execute(f"CREATE POLICY maintenance_read ON {table} FOR SELECT TO {MAINTENANCE} USING (true)")
    op.execute(f"GRANT USAGE ON SEQUENCE metric_changes_id_seq TO {JOBS}")
    op.execute(f"GRANT SELECT ON SEQUENCE metric_changes_id_seq TO {MAINTENANCE}")

    # One set-based INSERT per statement and transition table: the statement's rows grouped by
    # organization, the earliest day of each. SECURITY DEFINER: whoever writes the ERP tables (the ERP's
    # own login, the jobs login) records the change without any grant on metric_changes.
    op.execute(f"""
        CREATE FUNCTION prometric_note_metric_changes() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
        DECLARE
            organization_expression text := TG_ARGV[0];
            day_expression text := TG_ARGV[1];
            join_clause text := coalesce(TG_ARGV[2], '');
            watched text := TG_ARGV[3];
            source text;
            transition text;
        BEGIN
            FOREACH transition IN ARRAY CASE TG_OP WHEN 'INSERT' THEN ARRAY['new_rows']
                                                   WHEN 'DELETE' THEN ARRAY['old_rows']
                                                   ELSE ARRAY['old_rows', 'new_rows'] END
            LOOP
                source := quote_ident(transition);
                IF TG_OP = 'UPDATE' AND watched IS NOT NULL THEN  -- only rows whose watched columns changed
                    source := format(
                        '(SELECT * FROM %I x WHERE x.id IN (SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id'
                        ' WHERE (%s) IS DISTINCT FROM (%s)))',
                        transition,
                        (SELECT string_agg('o.' || btrim(c), ', ') FROM unnest(string_to_array(watched, ',')) c),
                        (SELECT string_agg('n.' || btrim(c), ', ') FROM unnest(string_to_array(watched, ',')) c));
                END IF;
                IF organization_expression = '{ALL_ORGANIZATIONS}' THEN
                    EXECUTE format(
                        'INSERT INTO metric_changes ("organizationId", source, "firstDay") '
                        'SELECT o.id, %L, c.day FROM organizations o '
                        'CROSS JOIN (SELECT min(CAST(%s AS date)) AS day FROM %s r) c WHERE c.day IS NOT NULL',
                        TG_TABLE_NAME, day_expression, source);
                ELSE
                    EXECUTE format(
                        'INSERT INTO metric_changes ("organizationId", source, "firstDay") '
                        'SELECT organization, %L, min(day) FROM '
                        '(SELECT %s AS organization, CAST(%s AS date) AS day FROM %s r %s) c '
                        'WHERE organization IS NOT NULL AND day IS NOT NULL GROUP BY organization',
                        TG_TABLE_NAME, organization_expression, day_expression, source, join_clause);
                END IF;
            END LOOP;
            RETURN NULL;
        END
        $$""")
    op.execute("REVOKE ALL ON FUNCTION prometric_note_metric_changes() FROM PUBLIC")
    for table, expressions in SOURCES.items():
        for event, (verb, transitions) in EVENTS.items():
            arguments = ", ".join("'" + value.replace("'", "''") + "'" for value in expressions)
            op.execute(
                f"CREATE TRIGGER metric_changes_{event} AFTER {verb} ON {table} "
                f"REFERENCING {transitions} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION prometric_note_metric_changes({arguments})"
            )


def downgrade() -> None:
    for table in SOURCES:
        for event in EVENTS:
            op.execute(f"DROP TRIGGER IF EXISTS metric_changes_{event} ON {table}")
    op.execute("DROP FUNCTION prometric_note_metric_changes()")
    for table in ("metric_changes", "metric_nightly_state"):  # the policies go with the tables; said for clarity
        op.execute(f"DROP POLICY IF EXISTS maintenance_read ON {table}")
        op.execute(f"DROP POLICY IF EXISTS jobs_all_tenants ON {table}")
    op.execute("DROP TABLE metric_nightly_state")
    op.execute("DROP TABLE metric_changes")
