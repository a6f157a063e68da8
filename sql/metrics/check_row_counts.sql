-- Asset check: workspaces of the run whose daily rows of :first..:last miss part of the time spine
-- (expected: every day × :expected_per_day flow, snapshot and distinct metrics).
SELECT CAST(m."organizationId" AS text) AS "organizationId", CAST(m."workspaceId" AS text) AS "workspaceId",
       count(*) AS rows
FROM metrics m
WHERE m."organizationId" = ANY (CAST(:organization_ids AS uuid[]))
  AND m.period = 'daily' AND m.date BETWEEN :first AND :last
  AND m.name = ANY (CAST(:names AS text[]))
GROUP BY m."organizationId", m."workspaceId"
HAVING count(*) <> CAST(:expected_per_day AS bigint) * (CAST(:last AS date) - CAST(:first AS date) + 1)
