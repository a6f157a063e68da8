-- One metrics write at a time (until the transaction ends): concurrent runs of a partition serialise.
SELECT pg_advisory_xact_lock(hashtext('prometric.metrics'))
