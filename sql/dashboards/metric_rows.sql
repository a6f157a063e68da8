-- Metric rows of one organization, summed over the chosen workspaces per (date, name): values summed,
-- ratio numerators and denominators summed separately (the caller divides; never an average).
SELECT m.date, m.name,
       sum(m.value) AS value,
       sum(CAST(m.metadata ->> 'numerator' AS numeric)) AS numerator,
       sum(CAST(m.metadata ->> 'denominator' AS numeric)) AS denominator,
       count(*) AS workspaces
FROM metrics m
WHERE m."organizationId" = :organization_id
  AND m.period = :period
  AND m.date >= :start AND m.date <= :end
  AND m.name = ANY(CAST(:names AS text[]))
  AND (CAST(:workspace_ids AS uuid[]) IS NULL OR m."workspaceId" = ANY(CAST(:workspace_ids AS uuid[])))
GROUP BY m.date, m.name
ORDER BY m.date, m.name
