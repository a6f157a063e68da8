-- Unseal: a late movement's month and every later one, for its (organization, warehouse, product).
DELETE FROM stock_sealed_balances AS b
USING stock_unsealed_keys AS u
WHERE b."organizationId" = ANY(:organization_ids) AND b."organizationId" = u.organization_id
  AND b."warehouseId" = u.warehouse_id AND b."productId" = u.product_id AND b.period >= u.since
