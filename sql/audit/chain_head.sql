-- The last link of one organization's manifest chain (none yet: no row).
SELECT m."chainPosition" AS chain_position, m.hash
FROM audit_log_archives m
WHERE m."organizationId" = CAST(:organization_id AS uuid)
   OR (CAST(:organization_id AS uuid) IS NULL AND m."organizationId" IS NULL)
ORDER BY m."chainPosition" DESC
LIMIT 1;
