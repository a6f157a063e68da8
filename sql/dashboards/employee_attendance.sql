-- One employee's attendance in the range by status.
SELECT a.status, count(*) AS days, sum(a."totalHours") AS hours, sum(a."overtimeHours") AS overtime_hours
FROM attendance a
WHERE a."organizationId" = :organization_id AND a."employeeId" = :employee_id
  AND a.date >= :start AND a.date <= :end
  AND (CAST(:workspace_ids AS uuid[]) IS NULL OR a."workspaceId" = ANY(CAST(:workspace_ids AS uuid[])))
GROUP BY a.status
ORDER BY days DESC
