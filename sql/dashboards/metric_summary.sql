-- One number per metric for the range start..end ("current") and, when given, the range
-- previous_start..previous_end ("previous"), from daily rows combined over the chosen workspaces:
-- flows (and distinct counts: no organization-level row exists) summed, snapshots the last day's
-- total, ratios Σ numerator / Σ denominator × scale over the whole range.
WITH catalog AS (
    SELECT c.name, c.kind, c.scale
    FROM unnest(CAST(:names AS text[]), CAST(:kinds AS text[]), CAST(:scales AS numeric[])) AS c(name, kind, scale)
),
windows AS (
    SELECT w.range_name, w.first_day, w.last_day
    FROM (VALUES ('current', CAST(:start AS date), CAST(:end AS date)),
                 ('previous', CAST(:previous_start AS date), CAST(:previous_end AS date))
         ) AS w(range_name, first_day, last_day)
    WHERE w.first_day IS NOT NULL
),
daily AS (  -- one scan over both ranges, combined per (day, name); a range takes its days below
    SELECT m.date, m.name,
           sum(m.value) AS value,
           sum(CAST(m.metadata ->> 'numerator' AS numeric)) AS numerator,
           sum(CAST(m.metadata ->> 'denominator' AS numeric)) AS denominator
    FROM metrics m
    WHERE m."organizationId" = :organization_id
      AND m.period = 'daily'
      AND m.date >= least(CAST(:start AS date), coalesce(CAST(:previous_start AS date), CAST(:start AS date)))
      AND m.date <= greatest(CAST(:end AS date), coalesce(CAST(:previous_end AS date), CAST(:end AS date)))
      AND m.name = ANY(CAST(:names AS text[]))
      AND (CAST(:workspace_ids AS uuid[]) IS NULL OR m."workspaceId" = ANY(CAST(:workspace_ids AS uuid[])))
    GROUP BY m.date, m.name
)
SELECT w.range_name, d.name, min(d.date) AS first_date, max(d.date) AS date,
       CAST(CASE c.kind
                WHEN 'ratio' THEN sum(d.numerator) / nullif(sum(d.denominator), 0) * c.scale
                WHEN 'snapshot' THEN (array_agg(d.value ORDER BY d.date DESC))[1]
                ELSE sum(d.value)
            END AS double precision) AS value,
       CAST(sum(d.numerator) AS double precision) AS numerator,
       CAST(sum(d.denominator) AS double precision) AS denominator
FROM daily d
JOIN windows w ON d.date >= w.first_day AND d.date <= w.last_day
JOIN catalog c ON c.name = d.name
GROUP BY w.range_name, d.name, c.kind, c.scale
ORDER BY w.range_name, d.name
