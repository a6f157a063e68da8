-- Primary keys, unique constraints and foreign keys of the ERP tables, foreign keys last:
-- dropped in reverse order for a bulk load, added back in this order afterwards. Adding them
-- builds each index with one sort and validates each foreign key with one join.
SELECT con.conrelid::regclass::text AS table_name, con.conname AS name, pg_get_constraintdef(con.oid) AS definition
FROM pg_constraint AS con
WHERE con.conrelid = ANY (CAST(:tables AS regclass[]))
  AND con.contype IN ('p', 'u', 'f')
ORDER BY con.contype = 'f', con.conrelid::regclass::text, con.conname
