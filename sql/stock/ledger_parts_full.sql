-- The full pass: every movement of the organization up to the run's start, read once and aggregated
-- to the ledger groups (warehouse, product, type, transfer ends), split at the seal horizon: the
-- part before it is what the run seals (stock_sealed_balances), the rest stays open.
-- Per movement only the grouping and the quantity's sign are computed (docs/stock.md, Performance).
-- CREATE TABLE AS may run its query with parallel workers (an INSERT … SELECT may not).
CREATE TEMPORARY TABLE stock_ledger_parts ON COMMIT DROP AS
SELECT m."organizationId" AS organization_id, m."warehouseId" AS warehouse_id, m."productId" AS product_id,
       m.type, m."fromWarehouseId" AS from_id, m."toWarehouseId" AS to_id,
       m."createdAt" < :horizon AS sealed,
       sum(m.quantity) FILTER (WHERE m.quantity > 0 OR m.type = 'ADJUSTMENT') AS quantity,
       array_agg(m.id) FILTER (WHERE m.quantity <= 0 AND m.type <> 'ADJUSTMENT') AS non_positive_ids,
       count(*) AS movements
FROM stock_movements AS m
WHERE m."organizationId" = :organization_id AND m."createdAt" <= :as_of
GROUP BY 1, 2, 3, 4, 5, 6, 7
