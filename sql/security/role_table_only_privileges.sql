-- The privileges that exist only per table (no column-level form) :role holds on the current schema's tables.
SELECT c.relname AS table_name, p.privilege
FROM pg_class c
CROSS JOIN (VALUES ('DELETE'), ('TRUNCATE'), ('TRIGGER')) AS p (privilege)
WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'v', 'm', 'p')
  AND has_table_privilege(:role, c.oid, p.privilege)
