-- employees_on_leave: distinct employees with an APPROVED leave (status upper-cased after trimming)
-- covering the day, :start..:end (the leave's own workspace). An approved leave that ends before it
-- starts covers no day: it is counted in metric_skips (dated by its start, kept inside the window).
WITH skipped AS (
    INSERT INTO metric_skips ("organizationId", date, source, reason, detail, value, rows)
    SELECT l."organizationId", least(greatest(l."startDate", CAST(:start AS date)), CAST(:end AS date)),
           'leaves', 'approved leave ends before it starts', CAST(l.id AS text),
           l."startDate" || '..' || l."endDate", 1
    FROM leaves l
    JOIN metric_run_organizations ro ON ro."organizationId" = l."organizationId"
    WHERE upper(btrim(l.status)) = 'APPROVED' AND l."endDate" < l."startDate"
      AND (l."startDate" BETWEEN :start AND :end OR l."endDate" BETWEEN :start AND :end)
)
INSERT INTO metric_values ("organizationId", "workspaceId", name, date, value)
SELECT l."organizationId", l."workspaceId", 'employees_on_leave', d.day::date, count(DISTINCT l."employeeId")
FROM leaves l
JOIN metric_run_organizations ro ON ro."organizationId" = l."organizationId"
CROSS JOIN LATERAL generate_series(
    greatest(l."startDate", CAST(:start AS date)), least(l."endDate", CAST(:end AS date)), interval '1 day'
) AS d (day)
WHERE upper(btrim(l.status)) = 'APPROVED' AND l."endDate" >= :start AND l."startDate" <= :end
GROUP BY 1, 2, 4
