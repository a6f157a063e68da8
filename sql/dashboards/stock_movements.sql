-- Stock movements in the range by day, type and unit: count and quantity (quantities of different units,
-- шт, кг, м3, are never added together).
SELECT CAST(m."createdAt" AS date) AS day, m.type, p.unit, count(*) AS movements, sum(abs(m.quantity)) AS quantity
FROM stock_movements m
JOIN products p ON p.id = m."productId" AND p."organizationId" = m."organizationId"
WHERE m."organizationId" = :organization_id
  AND m."createdAt" >= :start AND m."createdAt" < CAST(:end AS date) + 1
  AND (CAST(:workspace_ids AS uuid[]) IS NULL OR m."workspaceId" = ANY(CAST(:workspace_ids AS uuid[])))
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3
