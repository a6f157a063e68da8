-- Products now out of stock or below their minimum, with on-hand from `inventory` (the ledger's state).
WITH on_hand AS (
    SELECT i."productId", sum(i.quantity) AS quantity
    FROM inventory i
    WHERE i."organizationId" = :organization_id
      AND (CAST(:workspace_ids AS uuid[]) IS NULL OR i."workspaceId" = ANY(CAST(:workspace_ids AS uuid[])))
    GROUP BY i."productId"
)
SELECT p.code, p.name AS product, p.unit, coalesce(h.quantity, 0) AS on_hand, p."minStock" AS min_stock,
       CASE WHEN coalesce(h.quantity, 0) <= 0 THEN 'out of stock' ELSE 'low' END AS state,
       coalesce(h.quantity, 0) * p.cost AS value_at_cost
FROM products p
LEFT JOIN on_hand h ON h."productId" = p.id
WHERE p."organizationId" = :organization_id AND p."deletedAt" IS NULL AND p.type <> 'SERVICE'
  AND coalesce(h.quantity, 0) <= coalesce(p."minStock", 0)
ORDER BY state DESC, p.name
LIMIT :limit
