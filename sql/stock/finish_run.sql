-- Each run row gets its summary and status `completed`.
UPDATE stock_reconciliation_runs AS r
SET status = 'completed', "finishedAt" = clock_timestamp() AT TIME ZONE 'UTC', summary = s.summary
FROM unnest(CAST(:run_ids AS uuid[]), CAST(:summaries AS jsonb[])) AS s (run_id, summary)
WHERE r.id = s.run_id AND r."organizationId" = ANY(:organization_ids)
