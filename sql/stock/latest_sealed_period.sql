-- The last month the organization's ledger is sealed through (NULL: never sealed).
SELECT max(s.period) FROM stock_sealed_periods AS s WHERE s."organizationId" = :organization_id
