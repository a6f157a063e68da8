-- Metric values of one organization per (period start, name), combined over the chosen workspaces in
-- SQL: ratios Σ numerator / Σ denominator × scale (never an average of the workspaces' ratios),
-- everything else the sum (flows; snapshots of the same date). Floats: what the charts draw.
WITH catalog AS (
    SELECT c.name, c.kind, c.scale
    FROM unnest(CAST(:names AS text[]), CAST(:kinds AS text[]), CAST(:scales AS numeric[])) AS c(name, kind, scale)
),
combined AS (
    SELECT m.date, m.name,
           sum(m.value) AS value,
           sum(CAST(m.metadata ->> 'numerator' AS numeric)) AS numerator,
           sum(CAST(m.metadata ->> 'denominator' AS numeric)) AS denominator
    FROM metrics m
    WHERE m."organizationId" = :organization_id
      AND m.period = :period
      AND m.date >= :start AND m.date <= :end
      AND m.name = ANY(CAST(:names AS text[]))
      AND (CAST(:workspace_ids AS uuid[]) IS NULL OR m."workspaceId" = ANY(CAST(:workspace_ids AS uuid[])))
    GROUP BY m.date, m.name
)
SELECT x.date, x.name,
       CAST(CASE WHEN c.kind = 'ratio' THEN x.numerator / nullif(x.denominator, 0) * c.scale ELSE x.value END
            AS double precision) AS value,
       CAST(x.numerator AS double precision) AS numerator,
       CAST(x.denominator AS double precision) AS denominator
FROM combined x
JOIN catalog c ON c.name = x.name
ORDER BY x.date, x.name
