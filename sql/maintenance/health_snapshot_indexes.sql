SELECT "schemaName" AS schema_name, "tableName" AS table_name, "indexName" AS index_name,
       "indexBytes" AS index_bytes, "indexScans" AS index_scans, "tuplesRead" AS tuples_read,
       "tuplesFetched" AS tuples_fetched, "isUnique" AS is_unique, "isPrimary" AS is_primary,
       "isValid" AS is_valid, unused
FROM maintenance_health_indexes
WHERE "snapshotId" = :snapshot_id
ORDER BY "indexScans" DESC, "indexName"
