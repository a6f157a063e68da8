-- Deals created in the range, newest first; :search narrows by title or customer (a bound pattern).
SELECT d.id, d.title, c.name AS customer, d.stage, d.value, d.currency, d.probability,
       CAST(d."createdAt" AS date) AS created, d."expectedCloseDate" AS expected_close, d."actualCloseDate" AS closed
FROM deals d
JOIN customers c ON c.id = d."customerId" AND c."organizationId" = d."organizationId"
WHERE d."organizationId" = :organization_id AND d."deletedAt" IS NULL
  AND d."createdAt" >= :start AND d."createdAt" < CAST(:end AS date) + 1
  AND (CAST(:workspace_ids AS uuid[]) IS NULL OR d."workspaceId" = ANY(CAST(:workspace_ids AS uuid[])))
  AND (:search = '' OR d.title ILIKE :pattern OR c.name ILIKE :pattern)
ORDER BY d."createdAt" DESC
LIMIT :limit
