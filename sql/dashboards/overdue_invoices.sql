-- Sales invoices past due on :as_of, most overdue first.
SELECT i."invoiceNumber" AS invoice, c.name AS customer, i."issueDate" AS issued, i."dueDate" AS due,
       CAST(:as_of AS date) - i."dueDate" AS days_overdue, i."totalAmount" AS total, i."paidAmount" AS paid,
       i."totalAmount" - i."paidAmount" AS outstanding, i.currency
FROM invoices i
JOIN customers c ON c.id = i."customerId" AND c."organizationId" = i."organizationId"
WHERE i."organizationId" = :organization_id AND i."deletedAt" IS NULL
  AND i.type = 'SALES' AND i.status NOT IN ('CANCELLED', 'DRAFT')
  AND i."paidAmount" < i."totalAmount" AND i."dueDate" < :as_of
  AND (CAST(:workspace_ids AS uuid[]) IS NULL OR i."workspaceId" = ANY(CAST(:workspace_ids AS uuid[])))
ORDER BY i."dueDate", i."invoiceNumber"
LIMIT :limit
