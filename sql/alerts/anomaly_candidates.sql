-- The daily metric values of one organization (:organization_id) on the days :first..:last that stand
-- out from the same weekday of the :weeks weeks before: robust z = |value - median| / (1.4826 * MAD).
-- Holidays (:holidays, Kazakhstan's days off that fall on weekdays) are neither judged nor part of a
-- baseline: a holiday is not compared with working days. A value needs :min_history comparable weeks,
-- a change of at least :min_relative_change × |median| and of at least its metric's minimum absolute
-- change (:minimum_changes, JSON {name: amount}, else :default_minimum_change); the robust z must reach
-- :warning_z. A MAD of 0 (a flat history) is floored at :relative_floor × |median| so that a steady
-- series does not turn every small move into an infinite z.
WITH days AS (
    SELECT m."organizationId", m."workspaceId", m.name, m.date, m.value
    FROM metrics AS m
    WHERE m."organizationId" = CAST(:organization_id AS uuid)
      AND m.period = 'daily'
      AND m.date BETWEEN :first AND :last
      AND m.date <> ALL (CAST(:holidays AS date[]))
),
-- the comparable weeks of each value, gathered in one array (eight numbers at most): median and MAD
-- are then computed per row from it, with no second join
history AS (
    SELECT d."organizationId", d."workspaceId", d.name, d.date, d.value,
           array_agg(CAST(h.value AS double precision)) AS pasts
    FROM days AS d
    CROSS JOIN generate_series(1, CAST(:weeks AS integer)) AS back(weeks)
    JOIN metrics AS h
      ON h."organizationId" = d."organizationId"
     AND h.period = 'daily'
     AND h.date = d.date - 7 * back.weeks
     AND h."workspaceId" = d."workspaceId"
     AND h.name = d.name
     AND h.date <> ALL (CAST(:holidays AS date[]))
    GROUP BY d."organizationId", d."workspaceId", d.name, d.date, d.value
    HAVING count(*) >= CAST(:min_history AS integer)
),
spread AS (
    SELECT h."organizationId", h."workspaceId", h.name, h.date, h.value, cardinality(h.pasts) AS weeks,
           m.median,
           (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(p - m.median)) FROM unnest(h.pasts) AS p) AS mad
    FROM history AS h
    CROSS JOIN LATERAL (
        SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY p) AS median FROM unnest(h.pasts) AS p
    ) AS m
),
scored AS (
    SELECT s."organizationId", s."workspaceId", s.name, s.date, s.value, s.weeks, s.median, s.mad,
           CAST(s.value AS double precision) - s.median AS change,
           greatest(1.4826 * s.mad, CAST(:relative_floor AS double precision) * abs(s.median)) AS scale,
           coalesce(CAST(CAST(:minimum_changes AS jsonb) ->> s.name AS double precision),
                    CAST(:default_minimum_change AS double precision)) AS minimum_change
    FROM spread AS s
)
SELECT "organizationId" AS organization_id, "workspaceId" AS workspace_id, name, date AS day,
       value, CAST(median AS numeric) AS median, CAST(mad AS numeric) AS mad, weeks,
       CAST(change AS numeric) AS change,
       CAST(CASE WHEN scale > 0 THEN abs(change) / scale END AS numeric) AS robust_z
FROM scored
WHERE abs(change) >= minimum_change
  AND abs(change) >= CAST(:min_relative_change AS double precision) * abs(median)
  AND (scale = 0 OR abs(change) / scale >= CAST(:warning_z AS double precision))
ORDER BY workspace_id, day, name
