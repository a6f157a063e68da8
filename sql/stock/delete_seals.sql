-- A full pass re-seals the organizations from scratch: their earlier balances go.
WITH balances AS (
    DELETE FROM stock_sealed_balances AS b WHERE b."organizationId" = ANY(:organization_ids)
)
DELETE FROM stock_sealed_periods AS s WHERE s."organizationId" = ANY(:organization_ids)
