-- Expenses in the range by category (KZT).
SELECT e.category, count(*) AS expenses, sum(e.amount) AS amount
FROM expenses e
WHERE e."organizationId" = :organization_id
  AND e."expenseDate" >= :start AND e."expenseDate" <= :end
  AND coalesce(e.currency, 'KZT') = 'KZT'
  AND (CAST(:workspace_ids AS uuid[]) IS NULL OR e."workspaceId" = ANY(CAST(:workspace_ids AS uuid[])))
GROUP BY e.category
ORDER BY amount DESC
