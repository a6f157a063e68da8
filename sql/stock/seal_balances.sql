-- The balances of each organization's period (cumulative to its end) from the pass's sealed part:
-- every group (all_groups) when the month is newly sealed, else only the unsealed pairs, rebuilt.
INSERT INTO stock_sealed_balances ("organizationId", period, "warehouseId", "productId", type,
                                   "fromWarehouseId", "toWarehouseId", quantity, "nonPositiveIds", movements)
SELECT p.organization_id, s.period, p.warehouse_id, p.product_id, p.type, p.from_id, p.to_id,
       sum(p.quantity), prometric_uuid_array_cat(p.non_positive_ids), sum(p.movements)
FROM stock_ledger_parts AS p
JOIN unnest(CAST(:organization_ids AS uuid[]), CAST(:periods AS date[]), CAST(:all_groups AS boolean[]))
     AS s (organization_id, period, all_groups)
  ON s.organization_id = p.organization_id
WHERE p.sealed
  AND (s.all_groups OR EXISTS (SELECT 1 FROM stock_unsealed_keys AS u
                               WHERE u.organization_id = p.organization_id
                                 AND u.warehouse_id = p.warehouse_id AND u.product_id = p.product_id))
GROUP BY p.organization_id, s.period, p.warehouse_id, p.product_id, p.type, p.from_id, p.to_id
