-- The organizations' ledgers are sealed through their periods.
INSERT INTO stock_sealed_periods ("organizationId", period, "sealedAt", "runId")
SELECT s.organization_id, s.period, :as_of, s.run_id
FROM unnest(CAST(:organization_ids AS uuid[]), CAST(:periods AS date[]), CAST(:run_ids AS uuid[]))
     AS s (organization_id, period, run_id)
ON CONFLICT ("organizationId", period) DO NOTHING
