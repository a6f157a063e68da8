-- Per organization of the run: the earliest day its claimed changes can affect (UTC day; '-infinity' =
-- every day, reported apart), its earliest stored daily metric and the last day its nightly run completed.
WITH claimed AS (
    SELECT c."organizationId",
           min(c."firstDay") FILTER (WHERE c."firstDay" > '-infinity') AS first_change,
           bool_or(c."firstDay" = '-infinity') AS every_day
    FROM metric_changes c
    WHERE c."organizationId" = ANY (CAST(:organization_ids AS uuid[])) AND c."claimedBy" = :run_key
    GROUP BY c."organizationId"
)
SELECT o.id AS organization_id, c.first_change, coalesce(c.every_day, false) AS every_day,
       stored.first_stored, n."lastDay" AS last_completed
FROM organizations o
LEFT JOIN claimed c ON c."organizationId" = o.id
LEFT JOIN metric_nightly_state n ON n."organizationId" = o.id
LEFT JOIN LATERAL (
    SELECT m.date AS first_stored FROM metrics m
    WHERE m."organizationId" = o.id AND m.period = 'daily'
    ORDER BY m.date LIMIT 1
) AS stored ON c.every_day
WHERE o.id = ANY (CAST(:organization_ids AS uuid[]))
ORDER BY o.id
