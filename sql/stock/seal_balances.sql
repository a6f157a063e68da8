-- The balances of :period (cumulative to its end) from the pass's sealed part: every group
-- (:all_groups) when the month is newly sealed, else only the unsealed pairs, rebuilt.
INSERT INTO stock_sealed_balances ("organizationId", period, "warehouseId", "productId", type,
                                   "fromWarehouseId", "toWarehouseId", quantity, "nonPositiveIds", movements)
SELECT p.organization_id, :period, p.warehouse_id, p.product_id, p.type, p.from_id, p.to_id,
       sum(p.quantity), prometric_uuid_array_cat(p.non_positive_ids), sum(p.movements)
FROM stock_ledger_parts AS p
WHERE p.sealed
  AND (:all_groups OR EXISTS (SELECT 1 FROM stock_unsealed_keys AS u
                              WHERE u.warehouse_id = p.warehouse_id AND u.product_id = p.product_id))
GROUP BY p.organization_id, p.warehouse_id, p.product_id, p.type, p.from_id, p.to_id
RETURNING id
