-- Leaves overlapping the range, by start date; :employee_id narrows to one employee.
SELECT e."employeeCode" AS code, concat_ws(' ', u."firstName", u."lastName") AS employee, l.type, l."startDate" AS start,
       l."endDate" AS end, l."totalDays" AS days, l.status
FROM leaves l
JOIN employees e ON e.id = l."employeeId" AND e."organizationId" = l."organizationId"
LEFT JOIN users u ON u.id = e."userId"
WHERE l."organizationId" = :organization_id
  AND l."startDate" <= :end AND l."endDate" >= :start
  AND (CAST(:employee_id AS uuid) IS NULL OR l."employeeId" = CAST(:employee_id AS uuid))
  AND (CAST(:workspace_ids AS uuid[]) IS NULL OR l."workspaceId" = ANY(CAST(:workspace_ids AS uuid[])))
ORDER BY l."startDate" DESC
LIMIT :limit
