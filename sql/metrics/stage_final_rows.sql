-- metric_rows (one period and window) as they will be stored, into metric_final: previousValue is the
-- value of the same metric, workspace and grain one :step earlier, found by lag() over this run's rows
-- plus the stored rows of the period just before the window; change is the percent change, 2 decimals,
-- NULL when previousValue is NULL or 0. target: the targetValue of the latest active kpi_definitions row
-- of the organization with the metric's name and the period as frequency, joined once.
WITH targets AS (
    SELECT DISTINCT ON (k."organizationId", k.name, k.frequency)
           k."organizationId", k.name, k.frequency, k."targetValue"
    FROM kpi_definitions k
    WHERE k."organizationId" = ANY (CAST(:organization_ids AS uuid[])) AND k."isActive"
    ORDER BY k."organizationId", k.name, k.frequency, k."updatedAt" DESC NULLS LAST, k.id
),
sequence AS (
    SELECT r."organizationId", r."workspaceId", r.name, r.type, r.period, r.date, round(r.value, 2) AS value,
           r.numerator, r.denominator, true AS staged
    FROM metric_rows r
    UNION ALL
    SELECT m."organizationId", m."workspaceId", m.name, m.type, m.period, m.date, m.value, NULL, NULL, false
    FROM metrics m
    WHERE m."organizationId" = ANY (CAST(:organization_ids AS uuid[]))
      AND m.period = :period AND m.date = CAST(CAST(:first AS date) - CAST(:step AS interval) AS date)
),
compared AS (
    SELECT s.*,
           CASE WHEN lag(s.date) OVER w = CAST(s.date - CAST(:step AS interval) AS date)
                THEN lag(s.value) OVER w END AS previous
    FROM sequence s
    WINDOW w AS (PARTITION BY s."organizationId", s."workspaceId", s.name ORDER BY s.date)
)
INSERT INTO metric_final ("organizationId", "workspaceId", name, type, period, date, value, "previousValue",
                          change, target, numerator, denominator)
SELECT c."organizationId", c."workspaceId", c.name, c.type, c.period, c.date, c.value, c.previous,
       CASE WHEN c.previous IS NULL OR c.previous = 0 THEN NULL
            ELSE round((c.value - c.previous) / abs(c.previous) * 100, 2) END,
       t."targetValue", c.numerator, c.denominator
FROM compared c
LEFT JOIN targets t ON t."organizationId" = c."organizationId" AND t.name = c.name AND t.frequency = c.period
WHERE c.staged
