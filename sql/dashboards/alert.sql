-- One alert of the organization by id (the drill), with its workspace's name; the viewer's workspaces
-- narrow it like the listing (an organization-wide alert is everyone's).
SELECT a.id, a.day, a.kind, a.subject, a.severity, a."workspaceId" AS workspace_id, w.name AS workspace,
       a.value, a.baseline, a.explanation, a."explanationRu" AS explanation_ru, a.details,
       a."acknowledgedAt" AS acknowledged_at,
       coalesce(nullif(concat_ws(' ', u."firstName", u."lastName"), ''), u.email) AS acknowledged_by
FROM alerts a
LEFT JOIN workspaces w ON w.id = a."workspaceId" AND w."organizationId" = a."organizationId"
LEFT JOIN users u ON u.id = a."acknowledgedBy"
WHERE a."organizationId" = :organization_id
  AND a.id = CAST(:alert_id AS uuid)
  AND (CAST(:workspace_ids AS uuid[]) IS NULL OR a."workspaceId" IS NULL
       OR a."workspaceId" = ANY(CAST(:workspace_ids AS uuid[])))
