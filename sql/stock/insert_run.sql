INSERT INTO stock_reconciliation_runs ("organizationId", "runKey", "runDate", status, applied, "startedAt")
VALUES (:organization_id, :run_key, :run_date, 'running', :applied, :started_at)
RETURNING id
