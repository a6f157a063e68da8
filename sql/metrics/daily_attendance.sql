-- attendance_rate (numerator PRESENT + LATE + 0.5 × HALF_DAY, denominator PRESENT/LATE/HALF_DAY/ABSENT
-- rows) and overtime_hours, by attendance date, :start..:end. Status compares upper-cased after
-- trimming; HOLIDAY and WEEKEND rows count for overtime only. Left out and counted in metric_skips:
-- a NULL or unknown status, impossible hours (overtimeHours or totalHours below 0 or above 24 a day).
WITH day_attendance AS (
    SELECT t."organizationId", t."workspaceId", t.date AS day, upper(btrim(t.status)) AS status,
           t."overtimeHours" AS overtime,
           CASE WHEN t.status IS NULL THEN 'status is NULL'
                WHEN upper(btrim(t.status)) NOT IN ('PRESENT', 'ABSENT', 'LATE', 'HALF_DAY', 'HOLIDAY', 'WEEKEND')
                    THEN 'unknown status'
                WHEN t."overtimeHours" < 0 OR t."overtimeHours" > 24 THEN 'impossible overtimeHours'
                WHEN t."totalHours" < 0 OR t."totalHours" > 24 THEN 'impossible totalHours'
           END AS problem,
           CASE WHEN t.status IS NULL THEN NULL
                WHEN upper(btrim(t.status)) NOT IN ('PRESENT', 'ABSENT', 'LATE', 'HALF_DAY', 'HOLIDAY', 'WEEKEND')
                    THEN t.status
           END AS detail,
           CASE WHEN t."overtimeHours" < 0 OR t."overtimeHours" > 24 THEN CAST(t."overtimeHours" AS text)
                WHEN t."totalHours" < 0 OR t."totalHours" > 24 THEN CAST(t."totalHours" AS text)
           END AS bad_value
    FROM attendance t
    JOIN metric_run_organizations ro ON ro."organizationId" = t."organizationId"
    WHERE t.date BETWEEN :start AND :end
),
skipped AS (
    INSERT INTO metric_skips ("organizationId", date, source, reason, detail, value, rows)
    SELECT "organizationId", day, 'attendance', problem, detail, bad_value, count(*)
    FROM day_attendance WHERE problem IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5, 6
)
INSERT INTO metric_values ("organizationId", "workspaceId", name, date, value, numerator, denominator)
SELECT a."organizationId", a."workspaceId", m.name, a.day, m.value, m.numerator, m.denominator
FROM (
    SELECT "organizationId", "workspaceId", day,
           count(*) FILTER (WHERE status IN ('PRESENT', 'LATE'))
             + 0.5 * count(*) FILTER (WHERE status = 'HALF_DAY') AS attended,
           count(*) FILTER (WHERE status IN ('PRESENT', 'LATE', 'HALF_DAY', 'ABSENT')) AS expected,
           coalesce(sum(overtime), 0) AS overtime
    FROM day_attendance
    WHERE problem IS NULL
    GROUP BY 1, 2, 3
) a
CROSS JOIN LATERAL (VALUES
    ('attendance_rate', NULL::numeric, a.attended, a.expected::numeric),
    ('overtime_hours', a.overtime, NULL, NULL)
) AS m (name, value, numerator, denominator)
