-- Foreign keys of the public schema: dropped for a bulk load and added back afterwards, when
-- PostgreSQL validates each one with a single join instead of a trigger call per row.
SELECT con.conrelid::regclass::text AS table_name, con.conname AS name, pg_get_constraintdef(con.oid) AS definition
FROM pg_constraint AS con
WHERE con.connamespace = 'public'::regnamespace
  AND con.contype = 'f'
ORDER BY con.conrelid::regclass::text, con.conname
