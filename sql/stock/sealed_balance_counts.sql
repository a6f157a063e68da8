-- How many ledger groups each organization's latest sealed month holds.
SELECT b."organizationId", count(*)
FROM stock_sealed_balances AS b
JOIN unnest(CAST(:organization_ids AS uuid[]), CAST(:sealed_periods AS date[])) AS s (organization_id, period)
  ON s.organization_id = b."organizationId" AND s.period = b.period
WHERE b."organizationId" = ANY(:organization_ids)
GROUP BY b."organizationId"
