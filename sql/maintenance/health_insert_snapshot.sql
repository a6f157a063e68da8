-- One health snapshot of this database: size, connections by state, long-running queries.
INSERT INTO maintenance_health_snapshots (
    "takenAt", "runKey", "serverVersion", "databaseName", "databaseBytes",
    connections, "activeConnections", "idleConnections", "idleInTransactionConnections",
    "serverConnections", "maxConnections", "longRunningSeconds", "longRunningQueries"
)
SELECT CAST(:taken_at AS timestamp), :run_key, current_setting('server_version'), current_database(),
       pg_database_size(current_database()),
       count(*) FILTER (WHERE a.datname = current_database()),
       count(*) FILTER (WHERE a.datname = current_database() AND a.state = 'active'),
       count(*) FILTER (WHERE a.datname = current_database() AND a.state = 'idle'),
       count(*) FILTER (WHERE a.datname = current_database() AND a.state LIKE 'idle in transaction%'),
       count(*),
       current_setting('max_connections')::int,
       :long_running_seconds,
       count(*) FILTER (
           WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.state <> 'idle'
             AND now() - CASE WHEN a.state = 'active' THEN a.query_start ELSE a.xact_start END
                 > make_interval(secs => :long_running_seconds)
       )
FROM pg_stat_activity a
WHERE a.backend_type = 'client backend'
RETURNING id
