-- KPIs of one organization (:organization_id) off their target for a period that closed on one of the
-- days :first..:last: metrics rows with a target (KPI formulas and catalog metrics named by a KPI
-- definition). Tolerance and direction per KPI from organizations.settings.alerts.kpi.<name>
-- (tolerancePct, direction at_least | at_most | both), else :default_tolerance_pct and at_least.
WITH closed AS (
    SELECT m."organizationId", m."workspaceId", m.name, m.period, m.date, m.value, m.target,
           CASE m.period
               WHEN 'daily' THEN m.date
               WHEN 'weekly' THEN m.date + 6
               WHEN 'monthly' THEN CAST(m.date + interval '1 month' - interval '1 day' AS date)
               WHEN 'quarterly' THEN CAST(m.date + interval '3 months' - interval '1 day' AS date)
               WHEN 'yearly' THEN CAST(m.date + interval '1 year' - interval '1 day' AS date)
           END AS period_end
    FROM metrics AS m
    WHERE m."organizationId" = CAST(:organization_id AS uuid)
      AND m.target IS NOT NULL
      AND m.target <> 0
      AND m.date BETWEEN CAST(:first AS date) - 366 AND :last
),
judged AS (
    SELECT c.*,
           round((c.value - c.target) / abs(c.target) * 100, 2) AS deviation_pct,
           coalesce(CAST(o.settings -> 'alerts' -> 'kpi' -> c.name ->> 'tolerancePct' AS numeric),
                    CAST(:default_tolerance_pct AS numeric)) AS tolerance_pct,
           coalesce(o.settings -> 'alerts' -> 'kpi' -> c.name ->> 'direction', 'at_least') AS direction
    FROM closed AS c
    JOIN organizations AS o ON o.id = c."organizationId"
    WHERE c.period_end BETWEEN :first AND :last
)
SELECT "organizationId" AS organization_id, "workspaceId" AS workspace_id, name, period, date AS day,
       period_end, value, target, deviation_pct, tolerance_pct, direction
FROM judged
WHERE (direction = 'at_most' AND deviation_pct > tolerance_pct)
   OR (direction = 'both' AND abs(deviation_pct) > tolerance_pct)
   OR (direction NOT IN ('at_most', 'both') AND deviation_pct < -tolerance_pct)
ORDER BY workspace_id, day, name, period
