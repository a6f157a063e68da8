-- The last month each organization's ledger is sealed through (an organization never sealed: no row).
SELECT s."organizationId", max(s.period) FROM stock_sealed_periods AS s
WHERE s."organizationId" = ANY(:organization_ids)
GROUP BY s."organizationId"
