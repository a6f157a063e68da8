-- Active employees hired by :as_of, by department.
SELECT coalesce(d.name, '(no department)') AS department, count(*) AS employees, sum(e.salary) AS monthly_salaries
FROM employees e
LEFT JOIN departments d ON d.id = e."departmentId" AND d."organizationId" = e."organizationId"
WHERE e."organizationId" = :organization_id AND e."deletedAt" IS NULL AND e.status = 'active'
  AND e."hireDate" <= :as_of
  AND (CAST(:workspace_ids AS uuid[]) IS NULL OR e."workspaceId" = ANY(CAST(:workspace_ids AS uuid[])))
GROUP BY 1
ORDER BY employees DESC
