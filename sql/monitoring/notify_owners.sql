-- One notification per owner (an employee whose "organizationRole" is 'owner') of the organizations a
-- failed run concerned. Never twice for the same run and owner: the run id is kept in `data`, and the
-- NOT EXISTS probe uses idx_notifications_user (an owner's notifications, not the whole table).
WITH owners AS (
    SELECT e."userId" AS user_id, jsonb_agg(DISTINCT e."organizationId") AS organization_ids
    FROM employees AS e
    JOIN users AS u ON u.id = e."userId"
    WHERE e."organizationId" = ANY(CAST(:organization_ids AS uuid[]))
      AND e."organizationRole" = 'owner'
      AND e."deletedAt" IS NULL
      AND coalesce(e.status, 'active') <> 'terminated'
      AND u."deletedAt" IS NULL
    GROUP BY e."userId"
)
INSERT INTO notifications ("userId", type, category, title, message, data)
SELECT o.user_id, 'error', 'run_failure', :title, :message,
       jsonb_build_object('runId', CAST(:run_id AS text), 'jobName', CAST(:job_name AS text),
                          'step', CAST(:step AS text), 'organizationIds', o.organization_ids)
FROM owners AS o
WHERE NOT EXISTS (
    SELECT 1
    FROM notifications AS n
    WHERE n."userId" = o.user_id
      AND n.category = 'run_failure'
      AND n.data ->> 'runId' = CAST(:run_id AS text)
)
RETURNING "userId"
