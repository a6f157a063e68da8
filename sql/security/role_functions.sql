-- The current schema's functions :role may execute that PUBLIC may not (granted to it by name).
SELECT p.oid::regprocedure::text
FROM pg_proc p
WHERE p.pronamespace = current_schema()::regnamespace
  AND has_function_privilege(:role, p.oid, 'EXECUTE')
  AND NOT coalesce(aclcontains(p.proacl, makeaclitem(0, p.proowner, 'EXECUTE', false)), true)
