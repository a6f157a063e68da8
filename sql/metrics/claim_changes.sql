-- The nightly run :run_key takes every recorded change of its organizations, including those a run that
-- never finished had taken; a change committed after this statement stays for the next run.
UPDATE metric_changes c
SET "claimedBy" = :run_key
WHERE c."organizationId" = ANY (CAST(:organization_ids AS uuid[]))
  AND c."claimedBy" IS DISTINCT FROM :run_key
