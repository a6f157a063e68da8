-- The organization's alerts of the days :start..:end, newest day first and the most severe first, narrowed
-- by kind, severity, subject (metric / KPI / asset), acknowledged state and id (each NULL = any; one id: the
-- drill) and by the viewer's workspaces; an alert of the whole organization (no workspace) is shown with every
-- workspace. With its workspace's name and who acknowledged it.
SELECT a.id, a.day, a.kind, a.subject, a.severity, a."workspaceId" AS workspace_id, w.name AS workspace,
       a.value, a.baseline, a.explanation, a."explanationRu" AS explanation_ru, a.details,
       a."acknowledgedAt" AS acknowledged_at,
       coalesce(nullif(concat_ws(' ', u."firstName", u."lastName"), ''), u.email) AS acknowledged_by
FROM alerts a
LEFT JOIN workspaces w ON w.id = a."workspaceId" AND w."organizationId" = a."organizationId"
LEFT JOIN users u ON u.id = a."acknowledgedBy"
WHERE a."organizationId" = :organization_id
  AND a.day BETWEEN :start AND :end
  AND (CAST(:alert_id AS uuid) IS NULL OR a.id = CAST(:alert_id AS uuid))
  AND (CAST(:workspace_ids AS uuid[]) IS NULL OR a."workspaceId" IS NULL
       OR a."workspaceId" = ANY(CAST(:workspace_ids AS uuid[])))
  AND (CAST(:kind AS text) IS NULL OR a.kind = :kind)
  AND (CAST(:severity AS text) IS NULL OR a.severity = :severity)
  AND (CAST(:subject AS text) IS NULL OR a.subject = :subject)
  AND (CAST(:acknowledged AS boolean) IS NULL OR (a."acknowledgedAt" IS NOT NULL) = :acknowledged)
ORDER BY a.day DESC, CASE a.severity WHEN 'severe' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, a.kind, a.subject,
         w.name NULLS FIRST
LIMIT :limit
