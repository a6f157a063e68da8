UPDATE stock_reconciliation_runs AS r
SET status = 'completed', "finishedAt" = clock_timestamp() AT TIME ZONE 'UTC', summary = CAST(:summary AS jsonb)
WHERE r.id = :run_id AND r."organizationId" = :organization_id
