-- Tables under row-level security whose rows the current login would not all see: not their owner, no
-- BYPASSRLS, and no permissive `USING (true)` SELECT policy for it. A backup by this login would miss
-- their rows, so it is refused (the migrations give prometric_maintenance such a policy on each table).
SELECT c.relname AS table_name
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema()
  AND c.relkind IN ('r', 'p')
  AND c.relrowsecurity
  AND c.relname <> ALL (CAST(:skipped AS text[]))
  AND NOT pg_has_role(current_user, c.relowner, 'USAGE')
  AND NOT (SELECT rolbypassrls OR rolsuper FROM pg_roles WHERE rolname = current_user)
  AND NOT EXISTS (
      SELECT 1
      FROM pg_policy p
      WHERE p.polrelid = c.oid
        AND p.polpermissive
        AND p.polcmd IN ('r', '*')
        AND pg_get_expr(p.polqual, p.polrelid) = 'true'
        AND (p.polroles = '{0}'
             OR EXISTS (SELECT 1 FROM unnest(p.polroles) AS r(oid) WHERE pg_has_role(current_user, r.oid, 'USAGE')))
  )
ORDER BY c.relname
