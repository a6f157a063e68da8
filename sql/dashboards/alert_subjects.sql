-- The kinds and subjects that have alerts in :start..:end (the Alerts page's filter choices).
SELECT DISTINCT a.kind, a.subject
FROM alerts a
WHERE a."organizationId" = :organization_id
  AND a.day BETWEEN :start AND :end
  AND (CAST(:workspace_ids AS uuid[]) IS NULL OR a."workspaceId" IS NULL
       OR a."workspaceId" = ANY(CAST(:workspace_ids AS uuid[])))
ORDER BY a.kind, a.subject
