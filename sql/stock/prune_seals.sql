-- Sealed months older than :keep_from are not kept: a movement that late unseals back to the beginning.
WITH balances AS (
    DELETE FROM stock_sealed_balances AS b WHERE b."organizationId" = :organization_id AND b.period < :keep_from
)
DELETE FROM stock_sealed_periods AS s WHERE s."organizationId" = :organization_id AND s.period < :keep_from
