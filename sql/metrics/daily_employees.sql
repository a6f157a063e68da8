-- headcount, a snapshot written as changes: each active employee (status 'active') adds 1 from its
-- hireDate on (dated no earlier than :start). The workspace is the employee's, or the organization's
-- default workspace when it has none.
INSERT INTO metric_values ("organizationId", "workspaceId", name, date, value)
SELECT e."organizationId", coalesce(e."workspaceId", ro.default_workspace), 'headcount',
       greatest(e."hireDate", CAST(:start AS date)), count(*)
FROM employees e
JOIN metric_run_organizations ro ON ro."organizationId" = e."organizationId"
WHERE e."deletedAt" IS NULL AND e.status = 'active' AND e."hireDate" <= :end
  AND coalesce(e."workspaceId", ro.default_workspace) IS NOT NULL
GROUP BY 1, 2, 4
