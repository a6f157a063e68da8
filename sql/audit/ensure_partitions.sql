-- Before archiving: a partition of its own for every month with rows in audit_logs_default and for the
-- coming months (the rows move out of the default partition), so each archived month can be detached.
SELECT prometric_audit_ensure_partitions(:months_ahead);
