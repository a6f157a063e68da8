-- employees_on_leave: distinct employees with an APPROVED leave covering the day, :start..:end
-- (the leave's own workspace).
INSERT INTO metric_values ("organizationId", "workspaceId", name, date, value)
SELECT l."organizationId", l."workspaceId", 'employees_on_leave', d.day::date, count(DISTINCT l."employeeId")
FROM leaves l
JOIN metric_run_organizations ro ON ro."organizationId" = l."organizationId"
CROSS JOIN LATERAL generate_series(
    greatest(l."startDate", CAST(:start AS date)), least(l."endDate", CAST(:end AS date)), interval '1 day'
) AS d (day)
WHERE l.status = 'APPROVED' AND l."endDate" >= :start AND l."startDate" <= :end
GROUP BY 1, 2, 4
