-- The daily metric values of one organization (:organization_id) on the days :first..:last that stand
-- out from the same weekday of the :weeks weeks before: robust z = |value − median| / spread, with the
-- median of those weeks' values and spread = 1.4826 × their median absolute deviation (MAD). For flows
-- (not :snapshot_names) the spread is at least 1.4826 × the MAD of every day of those weeks: a lumpy
-- series whose few same-weekday values happen to agree is not "steady". The spread is at least
-- :relative_floor × |median| too, so that a flat history does not turn every small move into an
-- infinite z. Holidays (:holidays, Kazakhstan's days off on weekdays) are neither judged nor part of a
-- baseline. A value needs :min_history comparable weeks, a change of at least its metric's minimum
-- (:minimum_changes, JSON {name: amount}, else :default_minimum_change) and ≥ :min_relative_change ×
-- |median|, and robust z ≥ :warning_z. It must also lie outside the range of every day of those weeks:
-- a flow must rise to ≥ :flow_peak_factor × their highest day, a snapshot must be a new high or low
-- (recent_high and recent_low are returned for the severity).
WITH series AS (
    -- one pass over the organization's daily rows: each value with the same weekday's values of the
    -- weeks before it, and with every day's value of those weeks (windows per workspace and metric)
    SELECT m."organizationId", m."workspaceId", m.name, m.date, m.value,
           array_agg(CAST(m.value AS double precision)) OVER (
               PARTITION BY m."workspaceId", m.name, extract(isodow FROM m.date)
               ORDER BY m.date
               RANGE BETWEEN make_interval(days => 7 * CAST(:weeks AS integer)) PRECEDING
                         AND interval '7 days' PRECEDING
           ) AS pasts,
           array_agg(CAST(m.value AS double precision)) OVER (
               PARTITION BY m."workspaceId", m.name
               ORDER BY m.date
               RANGE BETWEEN make_interval(days => 7 * CAST(:weeks AS integer)) PRECEDING
                         AND interval '1 day' PRECEDING
           ) AS recent
    FROM metrics AS m
    WHERE m."organizationId" = CAST(:organization_id AS uuid)
      AND m.period = 'daily'
      AND m.date BETWEEN CAST(:first AS date) - 7 * CAST(:weeks AS integer) AND :last
      AND m.date <> ALL (CAST(:holidays AS date[]))
),
history AS (
    SELECT s."organizationId", s."workspaceId", s.name, s.date, s.value, s.pasts,
           CASE WHEN s.name <> ALL (CAST(:snapshot_names AS text[])) THEN s.recent END AS recent,
           s.name = ANY (CAST(:snapshot_names AS text[])) AS is_snapshot,
           (SELECT max(p) FROM unnest(s.recent) AS p) AS recent_high,
           (SELECT min(p) FROM unnest(s.recent) AS p) AS recent_low
    FROM series AS s
    WHERE s.date BETWEEN :first AND :last
      AND cardinality(s.pasts) >= CAST(:min_history AS integer)
),
spread AS (
    SELECT h."organizationId", h."workspaceId", h.name, h.date, h.value, cardinality(h.pasts) AS weeks,
           h.is_snapshot, h.recent_high, h.recent_low, m.median,
           (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(p - m.median)) FROM unnest(h.pasts) AS p) AS mad,
           (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(p - r.median)) FROM unnest(h.recent) AS p)
               AS mad_recent
    FROM history AS h
    CROSS JOIN LATERAL (
        SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY p) AS median FROM unnest(h.pasts) AS p
    ) AS m
    CROSS JOIN LATERAL (
        SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY p) AS median FROM unnest(h.recent) AS p
    ) AS r
),
scored AS (
    SELECT s."organizationId", s."workspaceId", s.name, s.date, s.value, s.weeks, s.median, s.mad,
           s.is_snapshot, s.recent_high, s.recent_low,
           CAST(s.value AS double precision) - s.median AS change,
           greatest(1.4826 * s.mad, 1.4826 * coalesce(s.mad_recent, 0),
                    CAST(:relative_floor AS double precision) * abs(s.median)) AS scale,
           coalesce(CAST(CAST(:minimum_changes AS jsonb) ->> s.name AS double precision),
                    CAST(:default_minimum_change AS double precision)) AS minimum_change
    FROM spread AS s
)
SELECT "organizationId" AS organization_id, "workspaceId" AS workspace_id, name, date AS day,
       value, CAST(median AS numeric) AS median, CAST(mad AS numeric) AS mad, weeks,
       CAST(change AS numeric) AS change,
       CAST(recent_high AS numeric) AS recent_high, CAST(recent_low AS numeric) AS recent_low,
       CAST(CASE WHEN scale > 0 THEN abs(change) / scale END AS numeric) AS robust_z
FROM scored
WHERE abs(change) >= minimum_change
  AND abs(change) >= CAST(:min_relative_change AS double precision) * abs(median)
  AND (scale = 0 OR abs(change) / scale >= CAST(:warning_z AS double precision))
  -- outside everything the 8 weeks have seen: a flow (a day's total) only when it rises to at least
  -- :flow_peak_factor × the highest day (lumpy flows often have near-empty days, a fall is not news);
  -- a snapshot when it is a new high or a new low (a level that steps back into its range is not)
  AND CASE WHEN is_snapshot
           THEN (change > 0 AND value > recent_high) OR (change < 0 AND value < recent_low)
           ELSE change > 0 AND value >= CAST(:flow_peak_factor AS double precision) * recent_high
      END
ORDER BY workspace_id, day, name
