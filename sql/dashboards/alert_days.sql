-- Days with alerts per subject in :start..:end (the Overview's markers): how many, the worst severity and
-- the id of the worst one (the marker's link to its drill).
SELECT a.subject, a.day, count(*) AS alerts,
       min(CASE a.severity WHEN 'severe' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END) AS worst,
       CAST((array_agg(a.id ORDER BY CASE a.severity WHEN 'severe' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,
                       a.id))[1] AS text) AS alert_id
FROM alerts a
WHERE a."organizationId" = :organization_id
  AND a.day BETWEEN :start AND :end
  AND (CAST(:workspace_ids AS uuid[]) IS NULL OR a."workspaceId" IS NULL
       OR a."workspaceId" = ANY(CAST(:workspace_ids AS uuid[])))
GROUP BY a.subject, a.day
ORDER BY a.subject, a.day
