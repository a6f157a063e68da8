-- Indexes of the ERP tables that no constraint owns (secondary and partial unique indexes):
-- dropped for a bulk load into empty tables and rebuilt afterwards, a sort instead of one
-- B-tree insert per row.
SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
FROM pg_index AS i
JOIN pg_class AS c ON c.oid = i.indexrelid
WHERE i.indrelid = ANY (CAST(:tables AS regclass[]))
  AND NOT EXISTS (SELECT 1 FROM pg_constraint AS con WHERE con.conindid = i.indexrelid)
ORDER BY c.relname
