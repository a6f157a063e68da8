-- The last day the nightly run completed for each organization (never moved back by an older run).
INSERT INTO metric_nightly_state ("organizationId", "lastDay", "runId")
SELECT o.id, CAST(:last AS date), :run_key
FROM organizations o
WHERE o.id = ANY (CAST(:organization_ids AS uuid[]))
ON CONFLICT ("organizationId") DO UPDATE
SET "lastDay" = greatest(metric_nightly_state."lastDay", excluded."lastDay"),
    "runId" = excluded."runId",
    "completedAt" = CURRENT_TIMESTAMP
