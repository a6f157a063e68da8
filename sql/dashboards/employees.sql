-- Employees of the organization for the drill-down picker.
SELECT e.id, e."employeeCode" AS code, concat_ws(' ', u."firstName", u."lastName") AS name, e.position,
       e.status, e."hireDate" AS hired, e.salary
FROM employees e
LEFT JOIN users u ON u.id = e."userId"
WHERE e."organizationId" = :organization_id AND e."deletedAt" IS NULL
  AND (CAST(:workspace_ids AS uuid[]) IS NULL OR e."workspaceId" = ANY(CAST(:workspace_ids AS uuid[])))
ORDER BY e."employeeCode"
