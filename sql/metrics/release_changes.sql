-- An organization the nightly run :run_key could not complete: its changes wait for the next run.
UPDATE metric_changes c
SET "claimedBy" = NULL
WHERE c."organizationId" = ANY (CAST(:organization_ids AS uuid[])) AND c."claimedBy" = :run_key
