-- A run row per organization of the transaction.
INSERT INTO stock_reconciliation_runs ("organizationId", "runKey", "runDate", status, applied, "startedAt")
SELECT o.id, :run_key, :run_date, 'running', :applied, :started_at
FROM unnest(CAST(:organization_ids AS uuid[])) AS o (id)
RETURNING "organizationId", id
