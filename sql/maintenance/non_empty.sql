-- Relations outside the system schemas: a restore target must have none.
SELECT count(*)
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ('information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg\_%'
  AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
