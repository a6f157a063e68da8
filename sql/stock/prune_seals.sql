-- Sealed months older than each organization's keep_from are not kept: a movement that late unseals
-- back to the beginning.
WITH kept AS (
    SELECT * FROM unnest(CAST(:organization_ids AS uuid[]), CAST(:keep_from AS date[])) AS k (organization_id, keep_from)
),
balances AS (
    DELETE FROM stock_sealed_balances AS b USING kept AS k
    WHERE b."organizationId" = ANY(:organization_ids) AND b."organizationId" = k.organization_id
      AND b.period < k.keep_from
)
DELETE FROM stock_sealed_periods AS s USING kept AS k
WHERE s."organizationId" = ANY(:organization_ids) AND s."organizationId" = k.organization_id AND s.period < k.keep_from
