-- The daily rows of :start..:end from metric_values over a zero-filled time spine: every workspace of
-- the run's organizations that is active (or has values) × every day × every flow, snapshot and
-- distinct metric of the catalog (:names, :types, :kinds, :accumulated, :scales, in step).
-- Accumulated snapshots are the running sum of their changes; a ratio is numerator / denominator
-- × scale and has no row when its denominator is 0.
WITH catalog AS (
    SELECT * FROM unnest(CAST(:names AS text[]), CAST(:types AS text[]), CAST(:kinds AS text[]),
                         CAST(:accumulated AS boolean[]), CAST(:scales AS numeric[]))
        AS c (name, type, kind, accumulated, scale)
),
day_values AS (
    SELECT "organizationId", "workspaceId", name, date,
           sum(value) AS value, sum(numerator) AS numerator, sum(denominator) AS denominator
    FROM metric_values GROUP BY 1, 2, 3, 4
),
spine_workspaces AS (
    SELECT w."organizationId", w.id AS "workspaceId"
    FROM workspaces w
    JOIN metric_run_organizations ro ON ro."organizationId" = w."organizationId"
    WHERE w."isActive" AND w."deletedAt" IS NULL
    UNION
    SELECT DISTINCT "organizationId", "workspaceId" FROM metric_values
),
spine AS (
    SELECT s."organizationId", s."workspaceId", c.name, c.type, c.accumulated, d.day::date AS date
    FROM spine_workspaces s
    CROSS JOIN catalog c
    CROSS JOIN generate_series(CAST(:start AS date), CAST(:end AS date), interval '1 day') AS d (day)
    WHERE c.kind IN ('flow', 'snapshot', 'distinct')
)
INSERT INTO metric_rows ("organizationId", "workspaceId", name, type, period, date, value, numerator, denominator)
SELECT s."organizationId", s."workspaceId", s.name, s.type, 'daily', s.date,
       CASE WHEN s.accumulated
            THEN sum(coalesce(v.value, 0)) OVER (PARTITION BY s."organizationId", s."workspaceId", s.name ORDER BY s.date)
            ELSE coalesce(v.value, 0) END,
       NULL, NULL
FROM spine s
LEFT JOIN day_values v
    ON v."organizationId" = s."organizationId" AND v."workspaceId" = s."workspaceId"
   AND v.name = s.name AND v.date = s.date
UNION ALL
SELECT v."organizationId", v."workspaceId", v.name, c.type, 'daily', v.date,
       v.numerator / v.denominator * c.scale, v.numerator, v.denominator
FROM day_values v
JOIN catalog c ON c.name = v.name AND c.kind = 'ratio'
WHERE v.denominator <> 0
