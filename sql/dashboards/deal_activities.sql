-- One deal's activities, newest first (the deal must belong to the organization).
SELECT a.type, a.subject, a.outcome, a."scheduledAt" AS scheduled, a."completedAt" AS completed, a."createdAt" AS created
FROM deal_activities a
JOIN deals d ON d.id = a."dealId"
WHERE d."organizationId" = :organization_id AND d.id = :deal_id
  AND (CAST(:workspace_ids AS uuid[]) IS NULL OR d."workspaceId" = ANY(CAST(:workspace_ids AS uuid[])))
ORDER BY a."createdAt" DESC
