-- The (warehouse, product) pairs of the organization whose sealed months a late movement touched
-- (rows of the stock_movements trigger, visible in this run's snapshot), with the first month
-- touched. Months after :sealed_period are not sealed yet: the pass reads them anyway.
CREATE TEMPORARY TABLE stock_unsealed_keys ON COMMIT DROP AS
SELECT k."warehouseId" AS warehouse_id, k."productId" AS product_id, min(k.period) AS since
FROM stock_seal_breaks AS k
WHERE k."organizationId" = :organization_id AND k.period <= :sealed_period
GROUP BY 1, 2
