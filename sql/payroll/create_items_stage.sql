-- The month's breakdown lines, COPYed here first: PostgreSQL refuses COPY FROM into a table under
-- row-level security (payroll_items, for the jobs login), not into a temporary table.
CREATE TEMP TABLE IF NOT EXISTS payroll_items_stage (LIKE payroll_items INCLUDING DEFAULTS) ON COMMIT DROP
