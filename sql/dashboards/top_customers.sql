-- Customers by revenue of counted sales orders in the range (KZT orders; as the metrics count them).
SELECT c.name AS customer, c.type, count(*) AS orders, sum(o."totalAmount") AS revenue
FROM orders o
JOIN customers c ON c.id = o."customerId" AND c."organizationId" = o."organizationId"
WHERE o."organizationId" = :organization_id
  AND o."orderDate" >= :start AND o."orderDate" < CAST(:end AS date) + 1
  AND o.type = 'SALES' AND o.status <> 'CANCELLED' AND o."deletedAt" IS NULL
  AND coalesce(o.currency, 'KZT') = 'KZT'
  AND (CAST(:workspace_ids AS uuid[]) IS NULL OR o."workspaceId" = ANY(CAST(:workspace_ids AS uuid[])))
GROUP BY c.id, c.name, c.type
ORDER BY revenue DESC
LIMIT :limit
