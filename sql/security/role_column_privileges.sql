-- Per table of the current schema, column and privilege: whether :role holds it (by a table-level or a
-- column-level grant; PUBLIC and role memberships count, as PostgreSQL checks them).
SELECT c.relname AS table_name, a.attname AS column_name, p.privilege,
       has_column_privilege(:role, c.oid, a.attnum, p.privilege) AS granted
FROM pg_class c
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
CROSS JOIN (VALUES ('SELECT'), ('INSERT'), ('UPDATE'), ('REFERENCES')) AS p (privilege)
WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'v', 'm', 'p')
