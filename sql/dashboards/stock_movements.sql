-- Stock movements in the range by day and type: count and quantity.
SELECT CAST(m."createdAt" AS date) AS day, m.type, count(*) AS movements, sum(abs(m.quantity)) AS quantity
FROM stock_movements m
WHERE m."organizationId" = :organization_id
  AND m."createdAt" >= :start AND m."createdAt" < CAST(:end AS date) + 1
  AND (CAST(:workspace_ids AS uuid[]) IS NULL OR m."workspaceId" = ANY(CAST(:workspace_ids AS uuid[])))
GROUP BY 1, 2
ORDER BY 1, 2
