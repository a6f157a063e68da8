-- The nightly pass: the organization's ledger groups from its latest sealed month's balances plus
-- the movements after that month (idx_stock_movements_org_created), split at the new seal horizon.
-- (warehouse, product) pairs unsealed by late movements (stock_unsealed_keys, made by
-- unsealed_keys.sql; their balances from the break on are deleted) start from their last balance
-- still sealed, or from the beginning, and read their movements up to the sealed month's end
-- through the product index: a pair has thousands of movements, not the organization's millions.
CREATE TEMPORARY TABLE stock_ledger_parts ON COMMIT DROP AS
WITH rebuilt AS (
    SELECT u.warehouse_id, u.product_id,
           (SELECT max(b.period) FROM stock_sealed_balances AS b
            WHERE b."organizationId" = :organization_id AND b."warehouseId" = u.warehouse_id
              AND b."productId" = u.product_id) AS base_period
    FROM stock_unsealed_keys AS u
)
SELECT b."organizationId" AS organization_id, b."warehouseId" AS warehouse_id, b."productId" AS product_id,
       b.type, b."fromWarehouseId" AS from_id, b."toWarehouseId" AS to_id, true AS sealed,
       b.quantity, b."nonPositiveIds" AS non_positive_ids, b.movements
FROM stock_sealed_balances AS b
WHERE b."organizationId" = :organization_id AND b.period = :sealed_period

UNION ALL
SELECT b."organizationId", b."warehouseId", b."productId", b.type, b."fromWarehouseId", b."toWarehouseId", true,
       b.quantity, b."nonPositiveIds", b.movements
FROM rebuilt AS r
JOIN stock_sealed_balances AS b
  ON b."warehouseId" = r.warehouse_id AND b."productId" = r.product_id AND b.period = r.base_period
WHERE b."organizationId" = :organization_id

UNION ALL
SELECT m."organizationId", m."warehouseId", m."productId", m.type, m."fromWarehouseId", m."toWarehouseId", true,
       sum(m.quantity) FILTER (WHERE m.quantity > 0 OR m.type = 'ADJUSTMENT'),
       array_agg(m.id) FILTER (WHERE m.quantity <= 0 AND m.type <> 'ADJUSTMENT'),
       count(*)
FROM rebuilt AS r
CROSS JOIN LATERAL (
    SELECT * FROM stock_movements AS s
    WHERE s."organizationId" = :organization_id AND s."productId" = r.product_id
      AND s."createdAt" < :range_start
      AND (r.base_period IS NULL OR s."createdAt" >= r.base_period + interval '1 month')
    OFFSET 0  -- a lookup per unsealed pair, never a pass over the ledger
) AS m
-- the warehouse (and an OR for the start, not one range) outside the lookup: the product index alone
-- (thousands of entries) instead of a bitmap AND with the warehouse's or the organization's (millions)
WHERE m."warehouseId" = r.warehouse_id
GROUP BY 1, 2, 3, 4, 5, 6

UNION ALL
SELECT m."organizationId", m."warehouseId", m."productId", m.type, m."fromWarehouseId", m."toWarehouseId",
       m."createdAt" < :horizon,
       sum(m.quantity) FILTER (WHERE m.quantity > 0 OR m.type = 'ADJUSTMENT'),
       array_agg(m.id) FILTER (WHERE m.quantity <= 0 AND m.type <> 'ADJUSTMENT'),
       count(*)
FROM stock_movements AS m
WHERE m."organizationId" = :organization_id AND m."createdAt" >= :range_start AND m."createdAt" <= :as_of
GROUP BY 1, 2, 3, 4, 5, 6, 7
