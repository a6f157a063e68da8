-- The (warehouse, product) pairs of the organizations whose sealed months a late movement touched
-- (rows of the stock_movements trigger, visible in this run's snapshot), with the first month
-- touched. Months after the organization's sealed period are not sealed yet: the pass reads them
-- anyway; an organization without a sealed period (NULL: a full pass) has no pair to unseal.
CREATE TEMPORARY TABLE stock_unsealed_keys ON COMMIT DROP AS
SELECT k."organizationId" AS organization_id, k."warehouseId" AS warehouse_id, k."productId" AS product_id,
       min(k.period) AS since
FROM stock_seal_breaks AS k
JOIN unnest(CAST(:organization_ids AS uuid[]), CAST(:sealed_periods AS date[])) AS s (organization_id, period)
  ON s.organization_id = k."organizationId"
WHERE k."organizationId" = ANY(:organization_ids) AND k.period <= s.period
GROUP BY 1, 2, 3
