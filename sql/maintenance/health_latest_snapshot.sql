-- The newest health snapshot, or the one :snapshot_id names.
SELECT id, "takenAt" AS taken_at, "serverVersion" AS server_version, "databaseName" AS database_name,
       "databaseBytes" AS database_bytes, connections, "activeConnections" AS active_connections,
       "idleConnections" AS idle_connections, "idleInTransactionConnections" AS idle_in_transaction_connections,
       "serverConnections" AS server_connections, "maxConnections" AS max_connections,
       "longRunningSeconds" AS long_running_seconds, "longRunningQueries" AS long_running_queries
FROM maintenance_health_snapshots
WHERE CAST(:snapshot_id AS uuid) IS NULL OR id = CAST(:snapshot_id AS uuid)
ORDER BY "takenAt" DESC
LIMIT 1
