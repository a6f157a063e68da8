-- attendance_rate (numerator PRESENT + LATE + 0.5 × HALF_DAY, denominator PRESENT/LATE/HALF_DAY/ABSENT
-- rows) and overtime_hours, by attendance date, :start..:end.
INSERT INTO metric_values ("organizationId", "workspaceId", name, date, value, numerator, denominator)
SELECT a."organizationId", a."workspaceId", m.name, a.day, m.value, m.numerator, m.denominator
FROM (
    SELECT t."organizationId", t."workspaceId", t.date AS day,
           count(*) FILTER (WHERE t.status IN ('PRESENT', 'LATE'))
             + 0.5 * count(*) FILTER (WHERE t.status = 'HALF_DAY') AS attended,
           count(*) FILTER (WHERE t.status IN ('PRESENT', 'LATE', 'HALF_DAY', 'ABSENT')) AS expected,
           coalesce(sum(t."overtimeHours"), 0) AS overtime
    FROM attendance t
    JOIN metric_run_organizations ro ON ro."organizationId" = t."organizationId"
    WHERE t.date BETWEEN :start AND :end
    GROUP BY 1, 2, 3
) a
CROSS JOIN LATERAL (VALUES
    ('attendance_rate', NULL::numeric, a.attended, a.expected::numeric),
    ('overtime_hours', a.overtime, NULL, NULL)
) AS m (name, value, numerator, denominator)
