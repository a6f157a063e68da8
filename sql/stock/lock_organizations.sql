-- One reconciliation of an organization at a time (session-level, so they are held across the run's
-- transaction and released by unlock_organizations.sql, or by the server if the process dies). Taken
-- in the organizations' order: two runs of overlapping organizations never wait for each other in a cycle.
SELECT count(pg_advisory_lock(hashtext('prometric stock reconciliation'), hashtext(CAST(o.id AS text))))
FROM (SELECT DISTINCT id FROM unnest(CAST(:organization_ids AS uuid[])) AS u (id) ORDER BY id) AS o
