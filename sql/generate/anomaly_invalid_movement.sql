-- Anomaly: an OUT movement with a negative quantity (invalid; the ledger leaves it out).
INSERT INTO stock_movements (
    id, "organizationId", "workspaceId", "warehouseId", "productId", type, quantity,
    "referenceType", reason, "createdAt"
)
SELECT :movement_id, w."organizationId", w."workspaceId", w.id, p.id, 'OUT', -5,
       'adjustment', 'manual correction entered with the wrong sign', :created_at
FROM warehouses AS w
JOIN products AS p ON p."organizationId" = w."organizationId" AND p.type = 'PRODUCT'
WHERE w."organizationId" = :organization_id
ORDER BY w.id, p.id
LIMIT 1
RETURNING id
