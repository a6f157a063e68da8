-- The seed's "table sizes" query (pg_total_relation_size of every table) with the collector's counters.
INSERT INTO maintenance_health_tables (
    "snapshotId", "schemaName", "tableName", "totalBytes", "tableBytes", "indexBytes",
    "liveTuples", "deadTuples", "modificationsSinceAnalyze", "seqScans", "indexScans",
    "lastVacuum", "lastAutovacuum", "lastAnalyze", "lastAutoanalyze"
)
SELECT :snapshot_id, s.schemaname, s.relname,
       pg_total_relation_size(s.relid), pg_table_size(s.relid), pg_indexes_size(s.relid),
       s.n_live_tup, s.n_dead_tup, s.n_mod_since_analyze, s.seq_scan, s.idx_scan,
       s.last_vacuum AT TIME ZONE 'UTC', s.last_autovacuum AT TIME ZONE 'UTC',
       s.last_analyze AT TIME ZONE 'UTC', s.last_autoanalyze AT TIME ZONE 'UTC'
FROM pg_stat_user_tables s
