-- The nightly pass: the organizations' ledger groups from their latest sealed month's balances plus
-- the movements after that month (per organization :sealed_periods and :range_starts, the first
-- instant after it; idx_stock_movements_org_created), split at the new seal horizon.
-- (warehouse, product) pairs unsealed by late movements (stock_unsealed_keys, made by
-- unsealed_keys.sql; their balances from the break on are deleted) start from their last balance
-- still sealed, or from the beginning, and read their movements up to the sealed month's end
-- through idx_stock_movements_org_product_warehouse: a pair has thousands of movements, not the
-- organization's millions.
-- Added to the table ledger_parts_full.sql made (for the organizations without sealed balances).
INSERT INTO stock_ledger_parts (organization_id, warehouse_id, product_id, type, from_id, to_id, sealed, quantity,
                                non_positive_ids, movements)
WITH organizations AS (
    SELECT * FROM unnest(CAST(:organization_ids AS uuid[]), CAST(:sealed_periods AS date[]),
                         CAST(:range_starts AS timestamp[])) AS o (organization_id, sealed_period, range_start)
),
rebuilt AS (
    SELECT u.organization_id, u.warehouse_id, u.product_id, o.range_start,
           (SELECT max(b.period) FROM stock_sealed_balances AS b
            WHERE b."organizationId" = u.organization_id AND b."organizationId" = ANY(:organization_ids)
              AND b."warehouseId" = u.warehouse_id AND b."productId" = u.product_id) AS base_period
    FROM stock_unsealed_keys AS u
    JOIN organizations AS o ON o.organization_id = u.organization_id
)
SELECT b."organizationId" AS organization_id, b."warehouseId" AS warehouse_id, b."productId" AS product_id,
       b.type, b."fromWarehouseId" AS from_id, b."toWarehouseId" AS to_id, true AS sealed,
       b.quantity, b."nonPositiveIds" AS non_positive_ids, b.movements
FROM stock_sealed_balances AS b
JOIN organizations AS o ON o.organization_id = b."organizationId" AND o.sealed_period = b.period
WHERE b."organizationId" = ANY(:organization_ids)

UNION ALL
SELECT b."organizationId", b."warehouseId", b."productId", b.type, b."fromWarehouseId", b."toWarehouseId", true,
       b.quantity, b."nonPositiveIds", b.movements
FROM rebuilt AS r
JOIN stock_sealed_balances AS b
  ON b."organizationId" = r.organization_id AND b."warehouseId" = r.warehouse_id AND b."productId" = r.product_id
     AND b.period = r.base_period
WHERE b."organizationId" = ANY(:organization_ids)

UNION ALL
SELECT m."organizationId", m."warehouseId", m."productId", m.type, m."fromWarehouseId", m."toWarehouseId", true,
       sum(m.quantity) FILTER (WHERE m.quantity > 0 OR m.type = 'ADJUSTMENT'),
       array_agg(m.id) FILTER (WHERE m.quantity <= 0 AND m.type <> 'ADJUSTMENT'),
       count(*)
FROM rebuilt AS r
CROSS JOIN LATERAL (
    SELECT * FROM stock_movements AS s
    WHERE s."organizationId" = r.organization_id AND s."productId" = r.product_id AND s."warehouseId" = r.warehouse_id AND s."createdAt" < r.range_start
      AND (r.base_period IS NULL OR s."createdAt" >= r.base_period + interval '1 month')
    OFFSET 0  -- a lookup per unsealed pair, never a pass over the ledger
) AS m
GROUP BY 1, 2, 3, 4, 5, 6

UNION ALL
SELECT m."organizationId", m."warehouseId", m."productId", m.type, m."fromWarehouseId", m."toWarehouseId",
       m."createdAt" < :horizon,
       sum(m.quantity) FILTER (WHERE m.quantity > 0 OR m.type = 'ADJUSTMENT'),
       array_agg(m.id) FILTER (WHERE m.quantity <= 0 AND m.type <> 'ADJUSTMENT'),
       count(*)
FROM organizations AS o
CROSS JOIN LATERAL (
    SELECT * FROM stock_movements AS s
    WHERE s."organizationId" = o.organization_id AND s."createdAt" >= o.range_start AND s."createdAt" <= :as_of
    OFFSET 0  -- an index range per organization, not a join over the ledger
) AS m
GROUP BY 1, 2, 3, 4, 5, 6, 7
