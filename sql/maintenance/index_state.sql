-- One index by its qualified name: its size, file and validity (after a rebuild the name stays, the file changes).
SELECT pg_relation_size(c.oid) AS index_bytes,
       pg_relation_filenode(c.oid)::bigint AS filenode,
       i.indisvalid AS is_valid
FROM pg_class c
JOIN pg_index i ON i.indexrelid = c.oid
WHERE c.oid = to_regclass(:qualified_name)
