-- The payments behind an alert: the organization's payments dated :day in the workspace :workspace_id
-- (NULL: every workspace the viewer may see), incoming and outgoing, any status.
SELECT p."paymentNumber" AS payment_number, p.type, p.status, p."paymentMethod" AS method, c.name AS customer,
       w.name AS workspace, p.amount, p.currency
FROM payments p
LEFT JOIN customers c ON c.id = p."customerId" AND c."organizationId" = p."organizationId"
LEFT JOIN workspaces w ON w.id = p."workspaceId" AND w."organizationId" = p."organizationId"
WHERE p."organizationId" = :organization_id
  AND p."paymentDate" = :day
  AND (CAST(:workspace_id AS uuid) IS NULL OR p."workspaceId" = CAST(:workspace_id AS uuid))
  AND (CAST(:workspace_ids AS uuid[]) IS NULL OR p."workspaceId" = ANY(CAST(:workspace_ids AS uuid[])))
ORDER BY p.type, p."paymentNumber"
LIMIT :limit
