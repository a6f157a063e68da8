-- What sessions of a `prometric run` wait for: per waiting session (:pids, server process ids) each
-- session that blocks it (pg_blocking_pids), the kind of lock and since when each has been as it is.
SELECT w.pid AS waiting_pid,
       COALESCE(l.waitstart, w.query_start) AS waiting_since,
       l.locktype AS lock_type,
       c.relname AS relation,
       b.pid AS blocking_pid,
       b.application_name AS blocking_application,
       b.usename AS blocking_user,
       b.state AS blocking_state,
       b.state_change AS blocking_since
FROM pg_stat_activity w
JOIN pg_locks l ON l.pid = w.pid AND NOT l.granted
LEFT JOIN pg_class c ON c.oid = l.relation
CROSS JOIN LATERAL unnest(pg_blocking_pids(w.pid)) AS blocker(pid)
JOIN pg_stat_activity b ON b.pid = blocker.pid
WHERE w.pid = ANY(:pids) AND w.wait_event_type = 'Lock'
ORDER BY w.pid, b.pid
