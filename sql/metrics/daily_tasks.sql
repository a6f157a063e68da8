-- tasks_created / tasks_completed (flows by the local day of createdAt / completedAt) and tasks_overdue,
-- a snapshot written as changes: a task (not CANCELLED) is overdue from the day after its local due day
-- (and not before its creation day) until the local day it is completed (exclusive). Only tasks
-- touching the window or still open at its start are read.
WITH window_tasks AS (
    SELECT t."organizationId", t."workspaceId", t.status,
           (t."createdAt" AT TIME ZONE 'UTC' AT TIME ZONE ro.tz)::date AS created_day,
           (t."completedAt" AT TIME ZONE 'UTC' AT TIME ZONE ro.tz)::date AS completed_day,
           (t."dueDate" AT TIME ZONE 'UTC' AT TIME ZONE ro.tz)::date AS due_day
    FROM tasks t
    JOIN metric_run_organizations ro ON ro."organizationId" = t."organizationId"
    WHERE t."deletedAt" IS NULL
      AND t."createdAt" < CAST(:end AS timestamp) + interval '2 days'
      AND (t."createdAt" >= CAST(:start AS timestamp) - interval '1 day'
           OR t."completedAt" >= CAST(:start AS timestamp) - interval '1 day'
           OR t."completedAt" IS NULL)
),
overdue_span AS (
    SELECT "organizationId", "workspaceId",
           greatest(created_day, due_day + 1, CAST(:start AS date)) AS starts,
           completed_day AS ends
    FROM window_tasks
    -- status case-insensitive after trimming; a NULL status is an open task (the column's default is TODO)
    WHERE upper(btrim(coalesce(status, 'TODO'))) <> 'CANCELLED' AND due_day IS NOT NULL
)
INSERT INTO metric_values ("organizationId", "workspaceId", name, date, value)
SELECT "organizationId", "workspaceId", 'tasks_created', created_day, count(*)
FROM window_tasks WHERE created_day BETWEEN :start AND :end GROUP BY 1, 2, 4
UNION ALL
SELECT "organizationId", "workspaceId", 'tasks_completed', completed_day, count(*)
FROM window_tasks WHERE completed_day BETWEEN :start AND :end GROUP BY 1, 2, 4
UNION ALL
SELECT "organizationId", "workspaceId", 'tasks_overdue', m.day, sum(m.change)
FROM overdue_span
CROSS JOIN LATERAL (VALUES (starts, 1), (ends, -1)) AS m (day, change)
WHERE starts <= :end AND (ends IS NULL OR ends > starts) AND m.day IS NOT NULL AND m.day <= :end
GROUP BY 1, 2, 4
