SELECT "schemaName" AS schema_name, "tableName" AS table_name, "totalBytes" AS total_bytes,
       "tableBytes" AS table_bytes, "indexBytes" AS index_bytes, "liveTuples" AS live_tuples,
       "deadTuples" AS dead_tuples,
       round("deadTuples"::numeric / greatest("liveTuples" + "deadTuples", 1), 4) AS dead_ratio,
       "modificationsSinceAnalyze" AS modifications_since_analyze, "seqScans" AS seq_scans,
       "indexScans" AS index_scans,
       greatest("lastVacuum", "lastAutovacuum") AS last_vacuumed,
       greatest("lastAnalyze", "lastAutoanalyze") AS last_analyzed
FROM maintenance_health_tables
WHERE "snapshotId" = :snapshot_id
ORDER BY "totalBytes" DESC, "tableName"
