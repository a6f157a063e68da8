-- Cancels the running statements of the given sessions of this program (a stopped `prometric run`):
-- each session's step fails at once instead of waiting for its lock or finishing its query.
SELECT pid, pg_cancel_backend(pid) AS cancelled
FROM pg_stat_activity
WHERE pid = ANY(:pids) AND pid <> pg_backend_pid() AND state = 'active'
