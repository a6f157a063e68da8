-- Serialises two evaluations for the same failed run (e.g. a sensor tick and a manual re-evaluation):
-- the second waits, then finds the first one's rows and inserts none.
SELECT pg_advisory_xact_lock(hashtextextended('prometric.run_failure:' || CAST(:run_id AS text), 0))
