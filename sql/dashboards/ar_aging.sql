-- Sales invoices open on :as_of by days past due: current, 1-30, 31-60, 61-90, 90+ (KZT invoices).
SELECT CASE WHEN i."dueDate" >= :as_of THEN 'current'
            WHEN i."dueDate" >= CAST(:as_of AS date) - 30 THEN '1–30'
            WHEN i."dueDate" >= CAST(:as_of AS date) - 60 THEN '31–60'
            WHEN i."dueDate" >= CAST(:as_of AS date) - 90 THEN '61–90'
            ELSE '90+' END AS bucket,
       count(*) AS invoices, sum(i."totalAmount" - i."paidAmount") AS outstanding
FROM invoices i
WHERE i."organizationId" = :organization_id AND i."deletedAt" IS NULL
  AND i.type = 'SALES' AND i.status NOT IN ('CANCELLED', 'DRAFT')
  AND i."paidAmount" < i."totalAmount" AND coalesce(i.currency, 'KZT') = 'KZT'
  AND i."issueDate" <= :as_of
  AND (CAST(:workspace_ids AS uuid[]) IS NULL OR i."workspaceId" = ANY(CAST(:workspace_ids AS uuid[])))
GROUP BY 1
