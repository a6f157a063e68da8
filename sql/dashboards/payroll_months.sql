-- Months that have payroll rows, newest first.
SELECT DISTINCT p.year, p.month
FROM payroll p
WHERE p."organizationId" = :organization_id
  AND (CAST(:workspace_ids AS uuid[]) IS NULL OR p."workspaceId" = ANY(CAST(:workspace_ids AS uuid[])))
ORDER BY p.year DESC, p.month DESC
