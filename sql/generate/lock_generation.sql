-- One generator at a time per database: a second run waits here, then sees the first one's
-- organizations and is refused instead of loading over them.
SELECT pg_advisory_xact_lock(hashtext('prometric generate'))
