-- Production orders planned to start in the range, by status.
SELECT po.status, count(*) AS orders, sum(po.quantity) AS quantity, sum(po."completedQuantity") AS completed
FROM production_orders po
WHERE po."organizationId" = :organization_id
  AND po."createdAt" >= :start AND po."createdAt" < CAST(:end AS date) + 1
  AND (CAST(:workspace_ids AS uuid[]) IS NULL OR po."workspaceId" = ANY(CAST(:workspace_ids AS uuid[])))
GROUP BY po.status
ORDER BY orders DESC
