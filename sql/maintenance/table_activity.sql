-- The operational schema's tables as the statistics collector sees them: changes since the last
-- ANALYZE, live and dead tuples, sizes. :relid narrows to one table (NULL: all of them).
SELECT s.relid::bigint AS relid,
       format('%I.%I', s.schemaname, s.relname) AS qualified_name,
       s.relname AS table_name,
       s.n_mod_since_analyze AS modifications,
       s.n_live_tup AS live_tuples,
       s.n_dead_tup AS dead_tuples,
       s.n_dead_tup::float8 / greatest(s.n_live_tup + s.n_dead_tup, 1) AS dead_ratio,
       s.last_analyze,
       s.last_autoanalyze,
       s.last_vacuum,
       s.vacuum_count,
       pg_table_size(s.relid) AS table_bytes,
       pg_total_relation_size(s.relid) AS total_bytes
FROM pg_stat_user_tables s
WHERE s.schemaname = current_schema()
  AND (CAST(:relid AS bigint) IS NULL OR s.relid = CAST(:relid AS bigint)::oid)
ORDER BY s.relname
