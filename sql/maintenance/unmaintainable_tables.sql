-- Tables of the operational schema the current login may not VACUUM, ANALYZE or REINDEX: PostgreSQL 17
-- and later allow it to members of pg_maintain, older servers to the table's owner only.
SELECT c.relname AS table_name
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema()
  AND c.relkind IN ('r', 'p', 'm')
  AND NOT pg_has_role(current_user, c.relowner, 'USAGE')
  AND NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = 'pg_maintain' AND pg_has_role(current_user, r.oid, 'USAGE'))
  AND NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
ORDER BY c.relname
