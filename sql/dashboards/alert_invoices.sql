-- The invoices behind an alert: the organization's invoices issued on :day or falling overdue that day
-- (due the day before: what moves overdue receivables), in the workspace :workspace_id (NULL: every
-- workspace the viewer may see).
SELECT i."invoiceNumber" AS invoice, CASE WHEN i."issueDate" = :day THEN 'issued' ELSE 'fell overdue' END AS on_this_day,
       i.type, i.status, c.name AS customer, w.name AS workspace, i."issueDate" AS issued, i."dueDate" AS due,
       i."totalAmount" AS total, i."paidAmount" AS paid, i.currency
FROM invoices i
LEFT JOIN customers c ON c.id = i."customerId" AND c."organizationId" = i."organizationId"
LEFT JOIN workspaces w ON w.id = i."workspaceId" AND w."organizationId" = i."organizationId"
WHERE i."organizationId" = :organization_id AND i."deletedAt" IS NULL
  AND (i."issueDate" = :day OR i."dueDate" = CAST(:day AS date) - 1)
  AND (CAST(:workspace_id AS uuid) IS NULL OR i."workspaceId" = CAST(:workspace_id AS uuid))
  AND (CAST(:workspace_ids AS uuid[]) IS NULL OR i."workspaceId" = ANY(CAST(:workspace_ids AS uuid[])))
ORDER BY i."issueDate", i."invoiceNumber"
LIMIT :limit
