-- Open deals now, by stage: count and value (the pipeline funnel).
SELECT d.stage, count(*) AS deals, sum(d.value) AS value, sum(d.value * d.probability / 100.0) AS weighted_value
FROM deals d
WHERE d."organizationId" = :organization_id AND d."deletedAt" IS NULL
  AND d.stage NOT IN ('WON', 'LOST')
  AND (CAST(:workspace_ids AS uuid[]) IS NULL OR d."workspaceId" = ANY(CAST(:workspace_ids AS uuid[])))
GROUP BY d.stage
