-- How many ledger groups the organization's latest sealed month holds.
SELECT count(*) FROM stock_sealed_balances AS b
WHERE b."organizationId" = :organization_id AND b.period = :sealed_period
