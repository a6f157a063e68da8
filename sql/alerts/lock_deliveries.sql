-- One delivery pass at a time (the nightly run and a re-run launched by hand): the second waits, then
-- finds everything recorded.
SELECT pg_advisory_xact_lock(hashtext('prometric.alert_deliveries'))
