-- Queries of this database running (or idle in a transaction) longer than the threshold.
INSERT INTO maintenance_health_queries (
    "snapshotId", pid, "userName", "applicationName", state, "waitEventType", "waitEvent",
    "queryStart", "durationSeconds", query
)
SELECT :snapshot_id, a.pid, a.usename, a.application_name, a.state, a.wait_event_type, a.wait_event,
       a.query_start AT TIME ZONE 'UTC',
       round(extract(epoch FROM running.duration)::numeric, 3),
       left(a.query, 1000)
FROM pg_stat_activity a
CROSS JOIN LATERAL (
    SELECT now() - CASE WHEN a.state = 'active' THEN a.query_start ELSE a.xact_start END AS duration
) running
WHERE a.backend_type = 'client backend'
  AND a.datname = current_database()
  AND a.pid <> pg_backend_pid()
  AND a.state <> 'idle'
  AND running.duration > make_interval(secs => :long_running_seconds)
