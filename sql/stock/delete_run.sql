-- A run of (organization, run date) replaces the previous one of that day; its findings go with it
-- (ON DELETE CASCADE), so re-running a day leaves one set of rows.
DELETE FROM stock_reconciliation_runs AS r
WHERE r."organizationId" = ANY(:organization_ids) AND r."runDate" = :run_date
