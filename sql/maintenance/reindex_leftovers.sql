-- Invalid copies a failed REINDEX CONCURRENTLY leaves behind (<name>_ccnew, <name>_ccold …): of the
-- index :index_name, or of any index when it is NULL.
SELECT format('%I.%I', n.nspname, c.relname) AS qualified_name
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema()
  AND NOT i.indisvalid
  AND c.relname ~ '_cc(new|old)[0-9]*$'
  AND (CAST(:index_name AS text) IS NULL
       OR left(c.relname, length(CAST(:index_name AS text)) + 3) = CAST(:index_name AS text) || '_cc')
