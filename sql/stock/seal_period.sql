-- The organization's ledger is sealed through :period.
INSERT INTO stock_sealed_periods ("organizationId", period, "sealedAt", "runId")
VALUES (:organization_id, :period, :as_of, :run_id)
ON CONFLICT ("organizationId", period) DO NOTHING
