-- Serialises payroll runs of one organization and month (held until the transaction ends): a second
-- run waits, then sees the first one's rows.
SELECT pg_advisory_xact_lock(hashtext('prometric.payroll'), hashtext(CAST(:organization_id AS text) || ':' || :period))
