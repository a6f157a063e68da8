-- The seed's "index usage" query (pg_stat_user_indexes) with sizes; an index never scanned that
-- enforces no constraint (unique, primary key, exclusion) is flagged unused.
INSERT INTO maintenance_health_indexes (
    "snapshotId", "schemaName", "indexName", "tableName", "indexBytes", "indexScans", "tuplesRead",
    "tuplesFetched", "isUnique", "isPrimary", "isValid", unused
)
SELECT :snapshot_id, s.schemaname, s.indexrelname, s.relname, pg_relation_size(s.indexrelid),
       s.idx_scan, s.idx_tup_read, s.idx_tup_fetch, i.indisunique, i.indisprimary, i.indisvalid,
       s.idx_scan = 0 AND NOT i.indisunique AND NOT i.indisprimary
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = s.indexrelid)
FROM pg_stat_user_indexes s
JOIN pg_index i ON i.indexrelid = s.indexrelid
