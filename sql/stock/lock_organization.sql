-- One reconciliation of an organization at a time (session-level, so it is held across the run's
-- transaction and released by unlock_organization.sql, or by the server if the process dies).
SELECT pg_advisory_lock(hashtext('prometric stock reconciliation'), hashtext(CAST(:organization_id AS text)))
