-- The claimed changes of the organizations the nightly run :run_key completed are done with.
DELETE FROM metric_changes c
WHERE c."organizationId" = ANY (CAST(:organization_ids AS uuid[])) AND c."claimedBy" = :run_key
