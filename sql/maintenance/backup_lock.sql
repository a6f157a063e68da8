-- Backups, retention and restore checks of one database take turns (retention must not delete the
-- file a restore check is reading). Session-level; released when the connection closes.
SELECT pg_advisory_lock(7245100301118216)
