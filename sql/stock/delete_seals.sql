-- A full pass re-seals the organization from scratch: its earlier balances go.
WITH balances AS (
    DELETE FROM stock_sealed_balances AS b WHERE b."organizationId" = :organization_id
)
DELETE FROM stock_sealed_periods AS s WHERE s."organizationId" = :organization_id
