-- One archive or restore run at a time per database (session-level: released when the run's
-- connection closes, also when the process is killed).
SELECT pg_advisory_lock(hashtextextended('prometric.audit_archive', 0));
