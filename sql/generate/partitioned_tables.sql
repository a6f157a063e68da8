-- The schema's partitioned tables (audit_logs, by month): the bulk load copies into them without FREEZE.
SELECT c.relname
FROM pg_class AS c
WHERE c.relnamespace = current_schema()::regnamespace
  AND c.relkind = 'p'
