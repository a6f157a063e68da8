-- Unseal: a late movement's month and every later one, for its (warehouse, product).
DELETE FROM stock_sealed_balances AS b
USING stock_unsealed_keys AS u
WHERE b."organizationId" = :organization_id
  AND b."warehouseId" = u.warehouse_id AND b."productId" = u.product_id AND b.period >= u.since
