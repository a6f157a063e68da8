-- The organizations (NULL: global) that have archive manifests, all or among the given ids.
SELECT DISTINCT m."organizationId"::text AS organization_id
FROM audit_log_archives m
WHERE CAST(:organization_ids AS uuid[]) IS NULL OR m."organizationId" = ANY (CAST(:organization_ids AS uuid[]))
ORDER BY 1 NULLS FIRST;
