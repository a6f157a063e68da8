-- Rows of one grain (:grain = week | month | quarter | year, written as :period) for the periods
-- starting :first..:last, from the stored daily rows: flows sum, snapshots take the last computed day
-- of the period, ratios are Σ numerator / Σ denominator × scale (never an average of daily ratios).
-- Distinct metrics and payroll_gross come from raw rows (rollup_active_customers, rollup_payroll_gross).
WITH catalog AS (
    SELECT * FROM unnest(CAST(:names AS text[]), CAST(:kinds AS text[]), CAST(:scales AS numeric[]))
        AS c (name, kind, scale)
),
daily AS (
    SELECT m."organizationId", m."workspaceId", m.name, m.type, m.date, m.value,
           CAST(m.metadata ->> 'numerator' AS numeric) AS numerator,
           CAST(m.metadata ->> 'denominator' AS numeric) AS denominator,
           CAST(date_trunc(:grain, m.date) AS date) AS period_start
    FROM metrics m
    WHERE m."organizationId" = ANY (CAST(:organization_ids AS uuid[]))
      AND m.period = 'daily' AND m.type <> 'kpi'
      AND m.date >= :first AND m.date < CAST(CAST(:last AS date) + CAST(:step AS interval) AS date)
),
rolled AS (
    SELECT d."organizationId", d."workspaceId", d.name, min(d.type) AS type, d.period_start, c.kind, c.scale,
           sum(d.value) AS total,
           (array_agg(d.value ORDER BY d.date DESC))[1] AS last_value,
           sum(d.numerator) AS numerator, sum(d.denominator) AS denominator
    FROM daily d JOIN catalog c ON c.name = d.name AND c.kind IN ('flow', 'snapshot', 'ratio')
    GROUP BY d."organizationId", d."workspaceId", d.name, d.period_start, c.kind, c.scale
)
INSERT INTO metric_rows ("organizationId", "workspaceId", name, type, period, date, value, numerator, denominator)
SELECT "organizationId", "workspaceId", name, type, :period, period_start,
       CASE kind WHEN 'flow' THEN total WHEN 'snapshot' THEN last_value
                 ELSE numerator / denominator * scale END,
       CASE WHEN kind = 'ratio' THEN numerator END,
       CASE WHEN kind = 'ratio' THEN denominator END
FROM rolled
WHERE kind <> 'ratio' OR denominator <> 0
