-- Without :assigned_to: tasks open (not completed, not cancelled) and due before the range's end, most
-- overdue first. With :assigned_to: that user's tasks still open or completed in the range.
SELECT t.title, t.type, t.priority, t.status, t."dueDate" AS due, t."completedAt" AS completed,
       concat_ws(' ', u."firstName", u."lastName") AS assignee
FROM tasks t
LEFT JOIN users u ON u.id = t."assignedTo"
WHERE t."organizationId" = :organization_id AND t."deletedAt" IS NULL
  AND (CAST(:workspace_ids AS uuid[]) IS NULL OR t."workspaceId" = ANY(CAST(:workspace_ids AS uuid[])))
  AND CASE WHEN CAST(:assigned_to AS uuid) IS NULL
           THEN t."completedAt" IS NULL AND t.status <> 'CANCELLED' AND t."dueDate" < CAST(:end AS date) + 1
           ELSE t."assignedTo" = CAST(:assigned_to AS uuid)
                AND (t."completedAt" IS NULL OR t."completedAt" >= :start) END
ORDER BY t."dueDate" NULLS LAST
LIMIT :limit
