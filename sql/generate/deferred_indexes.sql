-- Secondary (non-unique) indexes of the public schema: dropped for a bulk load into empty
-- tables and rebuilt afterwards, which costs a sort instead of one B-tree insert per row.
SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
FROM pg_index AS i
JOIN pg_class AS c ON c.oid = i.indexrelid
WHERE c.relnamespace = 'public'::regnamespace
  AND NOT i.indisprimary
  AND NOT i.indisunique
ORDER BY c.relname
