-- Without :assigned_to: the tasks overdue at the range's end, by the same rule as the `tasks_overdue`
-- metric (so the Operations card and this table agree): not cancelled, created by the end day, due before
-- it and not completed by it, days in the organization's time zone (settings->>'timezone', else
-- :default_zone, the business zone); most overdue first. With :assigned_to: that user's tasks still open or completed in the range.
WITH zone AS (
    SELECT coalesce(z.name, :default_zone) AS tz
    FROM organizations o
    LEFT JOIN pg_timezone_names z ON z.name = o.settings ->> 'timezone'
    WHERE o.id = :organization_id
)
SELECT t.title, t.type, t.priority, t.status, t."dueDate" AS due, t."completedAt" AS completed,
       concat_ws(' ', u."firstName", u."lastName") AS assignee
FROM tasks t
CROSS JOIN zone
LEFT JOIN users u ON u.id = t."assignedTo"
WHERE t."organizationId" = :organization_id AND t."deletedAt" IS NULL
  AND (CAST(:workspace_ids AS uuid[]) IS NULL OR t."workspaceId" = ANY(CAST(:workspace_ids AS uuid[])))
  AND CASE WHEN CAST(:assigned_to AS uuid) IS NULL
           THEN t.status <> 'CANCELLED'
                AND (t."createdAt" AT TIME ZONE 'UTC' AT TIME ZONE zone.tz)::date <= :end
                AND (t."dueDate" AT TIME ZONE 'UTC' AT TIME ZONE zone.tz)::date < :end
                AND (t."completedAt" IS NULL
                     OR (t."completedAt" AT TIME ZONE 'UTC' AT TIME ZONE zone.tz)::date > :end)
           ELSE t."assignedTo" = CAST(:assigned_to AS uuid)
                AND (t."completedAt" IS NULL OR t."completedAt" >= :start) END
ORDER BY t."dueDate" NULLS LAST
LIMIT :limit
