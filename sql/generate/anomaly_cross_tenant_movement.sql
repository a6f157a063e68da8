-- Anomaly: a movement of one organization booked into another organization's warehouse.
INSERT INTO stock_movements (
    id, "organizationId", "workspaceId", "warehouseId", "productId", type, quantity,
    "referenceType", reason, "createdAt"
)
SELECT :movement_id, p."organizationId", p."workspaceId", w.id, p.id, 'IN', 10,
       'transfer', 'receipt booked into the wrong company', :created_at
FROM products AS p
JOIN warehouses AS w ON w."organizationId" = :other_organization_id
WHERE p."organizationId" = :organization_id AND p.type = 'PRODUCT'
ORDER BY p.id, w.id
LIMIT 1
RETURNING id
