-- The daily rows of :start..:end from metric_values over a zero-filled time spine: every workspace of
-- the run's organizations that is active (or has values) × every day × every flow, snapshot and
-- distinct metric of the catalog (:names, :types, :kinds, :accumulated, :scales, in step).
-- Accumulated snapshots are the running sum of their changes; a ratio is numerator / denominator
-- × scale and has no row when its denominator is 0.
-- The spine's zeros and the values are added up in one GROUP BY rather than joined: a join's row
-- estimates are poor here (the catalog and the spine are computed), and a merge join on the workspace
-- alone, filtering name and day row by row, grew with the square of the range (120 days: 33M rows
-- filtered, 7.3 s; now a hash aggregate).
WITH catalog AS (
    SELECT * FROM unnest(CAST(:names AS text[]), CAST(:types AS text[]), CAST(:kinds AS text[]),
                         CAST(:accumulated AS boolean[]), CAST(:scales AS numeric[]))
        AS c (name, type, kind, accumulated, scale)
),
spine_workspaces AS (
    SELECT w."organizationId", w.id AS "workspaceId"
    FROM workspaces w
    JOIN metric_run_organizations ro ON ro."organizationId" = w."organizationId"
    WHERE w."isActive" AND w."deletedAt" IS NULL
    UNION
    SELECT DISTINCT "organizationId", "workspaceId" FROM metric_values
),
spine_metrics AS (
    SELECT name FROM catalog WHERE kind IN ('flow', 'snapshot', 'distinct')
),
filled AS (
    SELECT "organizationId", "workspaceId", name, date, sum(value) AS value
    FROM (
        SELECT s."organizationId", s."workspaceId", m.name, d.day::date AS date, 0 AS value
        FROM spine_workspaces s
        CROSS JOIN spine_metrics m
        CROSS JOIN generate_series(CAST(:start AS date), CAST(:end AS date), interval '1 day') AS d (day)
        UNION ALL
        SELECT v."organizationId", v."workspaceId", v.name, v.date, coalesce(v.value, 0)
        FROM metric_values v
        WHERE v.name IN (SELECT name FROM spine_metrics)
          AND v.date BETWEEN CAST(:start AS date) AND CAST(:end AS date)
    ) AS zeros_and_values
    GROUP BY 1, 2, 3, 4
),
day_ratios AS (
    SELECT "organizationId", "workspaceId", name, date,
           sum(numerator) AS numerator, sum(denominator) AS denominator
    FROM metric_values
    WHERE name IN (SELECT name FROM catalog WHERE kind = 'ratio')
    GROUP BY 1, 2, 3, 4
)
INSERT INTO metric_rows ("organizationId", "workspaceId", name, type, period, date, value, numerator, denominator)
SELECT f."organizationId", f."workspaceId", f.name, c.type, 'daily', f.date,
       CASE WHEN c.accumulated
            THEN sum(f.value) OVER (PARTITION BY f."organizationId", f."workspaceId", f.name ORDER BY f.date)
            ELSE f.value END,
       NULL, NULL
FROM filled f
JOIN catalog c ON c.name = f.name
UNION ALL
SELECT r."organizationId", r."workspaceId", r.name, c.type, 'daily', r.date,
       r.numerator / r.denominator * c.scale, r.numerator, r.denominator
FROM day_ratios r
JOIN catalog c ON c.name = r.name
WHERE r.denominator <> 0
