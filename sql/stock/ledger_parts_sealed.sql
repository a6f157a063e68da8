-- The nightly pass: the organizations' ledger groups from their latest sealed month's balances plus
-- the movements after that month (per organization :sealed_periods and :range_starts, the first
-- instant after it; idx_stock_movements_org_created), split at the new seal horizon. Added to the
-- table ledger_parts_full.sql made (for the organizations without sealed balances).
-- Late movements into sealed months (stock_seal_breaks: a row per late movement's old (-1) and new (+1)
-- version, written by the trigger on stock_movements) are added to the balances of the groups they
-- touched: the sum of the quantities counted (positive, or ADJUSTMENT), the count of movements, and
-- the ids of the non-positive IN/OUT/TRANSFER movements (an id is kept while its count stays above 0):
-- no pair's history is read again. A delta of a month after the sealed one is not applied (the pass
-- reads that month's movements anyway).
INSERT INTO stock_ledger_parts (organization_id, warehouse_id, product_id, type, from_id, to_id, sealed, quantity,
                                non_positive_ids, movements)
WITH organizations AS (
    SELECT * FROM unnest(CAST(:organization_ids AS uuid[]), CAST(:sealed_periods AS date[]),
                         CAST(:range_starts AS timestamp[])) AS o (organization_id, sealed_period, range_start)
),
balances AS (
    SELECT b."organizationId" AS organization_id, b."warehouseId" AS warehouse_id, b."productId" AS product_id,
           b.type, b."fromWarehouseId" AS from_id, b."toWarehouseId" AS to_id, b.quantity, b."nonPositiveIds" AS ids,
           b.movements
    FROM stock_sealed_balances AS b
    JOIN organizations AS o ON o.organization_id = b."organizationId" AND o.sealed_period = b.period
    WHERE b."organizationId" = ANY(:organization_ids)
),
deltas AS (
    SELECT k."organizationId" AS organization_id, k."warehouseId" AS warehouse_id, k."productId" AS product_id,
           k.type, k."fromWarehouseId" AS from_id, k."toWarehouseId" AS to_id, k."movementId" AS movement_id,
           k.sign, k.quantity > 0 OR k.type = 'ADJUSTMENT' AS counted, k.quantity
    FROM stock_seal_breaks AS k
    JOIN organizations AS o ON o.organization_id = k."organizationId"
    WHERE k."organizationId" = ANY(:organization_ids) AND k.period <= o.sealed_period
),
touched AS (
    SELECT b.*
    FROM balances AS b
    WHERE EXISTS (SELECT 1 FROM deltas AS d
                  WHERE d.organization_id = b.organization_id AND d.warehouse_id = b.warehouse_id
                    AND d.product_id = b.product_id AND d.type = b.type
                    AND d.from_id IS NOT DISTINCT FROM b.from_id AND d.to_id IS NOT DISTINCT FROM b.to_id)
),
corrected AS (
    SELECT organization_id, warehouse_id, product_id, type, from_id, to_id,
           sum(quantity) AS quantity, sum(counted) AS counted, sum(movements) AS movements
    FROM (
        SELECT t.organization_id, t.warehouse_id, t.product_id, t.type, t.from_id, t.to_id, t.quantity,
               t.movements - coalesce(cardinality(t.ids), 0) AS counted, t.movements
        FROM touched AS t
        UNION ALL
        SELECT d.organization_id, d.warehouse_id, d.product_id, d.type, d.from_id, d.to_id,
               CASE WHEN d.counted THEN d.sign * d.quantity END, CASE WHEN d.counted THEN d.sign ELSE 0 END, d.sign
        FROM deltas AS d
    ) AS x
    GROUP BY 1, 2, 3, 4, 5, 6
),
id_counts AS (
    SELECT organization_id, warehouse_id, product_id, type, from_id, to_id, id, sum(n) AS n
    FROM (
        SELECT t.organization_id, t.warehouse_id, t.product_id, t.type, t.from_id, t.to_id, i.id, 1 AS n
        FROM touched AS t CROSS JOIN LATERAL unnest(t.ids) AS i (id)
        UNION ALL
        SELECT d.organization_id, d.warehouse_id, d.product_id, d.type, d.from_id, d.to_id, d.movement_id, d.sign
        FROM deltas AS d
        WHERE NOT d.counted
    ) AS x
    GROUP BY 1, 2, 3, 4, 5, 6, 7
)
SELECT b.organization_id, b.warehouse_id, b.product_id, b.type, b.from_id, b.to_id, true AS sealed,
       b.quantity, b.ids, b.movements
FROM balances AS b
WHERE NOT EXISTS (SELECT 1 FROM touched AS t
                  WHERE t.organization_id = b.organization_id AND t.warehouse_id = b.warehouse_id
                    AND t.product_id = b.product_id AND t.type = b.type
                    AND t.from_id IS NOT DISTINCT FROM b.from_id AND t.to_id IS NOT DISTINCT FROM b.to_id)

UNION ALL
-- a group's quantity is NULL when no movement of it is counted, as in a full pass
SELECT c.organization_id, c.warehouse_id, c.product_id, c.type, c.from_id, c.to_id, true,
       CASE WHEN c.counted > 0 THEN c.quantity END,
       (SELECT array_agg(i.id) FROM id_counts AS i
        WHERE i.organization_id = c.organization_id AND i.warehouse_id = c.warehouse_id
          AND i.product_id = c.product_id AND i.type = c.type
          AND i.from_id IS NOT DISTINCT FROM c.from_id AND i.to_id IS NOT DISTINCT FROM c.to_id AND i.n > 0),
       c.movements
FROM corrected AS c
WHERE c.movements > 0

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
