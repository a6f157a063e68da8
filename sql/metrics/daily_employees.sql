-- headcount, a snapshot written as changes: each active employee (status 'active', compared
-- lower-cased after trimming: 'ACTIVE' is active) adds 1 from its hireDate on (dated no earlier than
-- :start). The workspace is the employee's, or the organization's default workspace when it has none.
-- Counted in metric_skips (dated :end) and not in headcount: an active employee without a hireDate
-- (cannot be placed in time), an employee whose status is NULL or outside the documented list
-- (active, pending, inactive, terminated).
WITH skipped AS (
    INSERT INTO metric_skips ("organizationId", date, source, reason, detail, rows)
    SELECT e."organizationId", CAST(:end AS date), 'employees',
           CASE WHEN e.status IS NULL THEN 'status is NULL'
                WHEN lower(btrim(e.status)) NOT IN ('active', 'pending', 'inactive', 'terminated') THEN 'unknown status'
                ELSE 'active employee without hireDate' END,
           CASE WHEN e.status IS NOT NULL AND lower(btrim(e.status)) <> 'active' THEN e.status END,
           count(*)
    FROM employees e
    JOIN metric_run_organizations ro ON ro."organizationId" = e."organizationId"
    WHERE e."deletedAt" IS NULL
      AND (e.status IS NULL OR lower(btrim(e.status)) NOT IN ('active', 'pending', 'inactive', 'terminated')
           OR (lower(btrim(e.status)) = 'active' AND e."hireDate" IS NULL))
    GROUP BY 1, 2, 3, 4, 5
)
INSERT INTO metric_values ("organizationId", "workspaceId", name, date, value)
SELECT e."organizationId", coalesce(e."workspaceId", ro.default_workspace), 'headcount',
       greatest(e."hireDate", CAST(:start AS date)), count(*)
FROM employees e
JOIN metric_run_organizations ro ON ro."organizationId" = e."organizationId"
WHERE e."deletedAt" IS NULL AND lower(btrim(e.status)) = 'active' AND e."hireDate" <= :end
  AND coalesce(e."workspaceId", ro.default_workspace) IS NOT NULL
GROUP BY 1, 2, 4
