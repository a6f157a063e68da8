-- health_snapshot_queries.sql without the `query` column: what the reader login may read (the owners'
-- Database page); the text can hold any tenant's values.
SELECT pid, "userName" AS user_name, "applicationName" AS application_name, state,
       "waitEventType" AS wait_event_type, "waitEvent" AS wait_event, "queryStart" AS query_start,
       "durationSeconds" AS duration_seconds
FROM maintenance_health_queries
WHERE "snapshotId" = :snapshot_id
ORDER BY "durationSeconds" DESC
