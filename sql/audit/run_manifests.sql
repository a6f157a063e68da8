-- Asset check: the files (archive links) one run wrote, per organization in scope (NULL: global).
SELECT m."organizationId"::text AS organization_id, m.path, m."rowCount" AS row_count, m."fileSha256" AS file_sha256
FROM audit_log_archives m
WHERE m."runKey" = :run_key
  AND m.action = 'archive'
  AND (CAST(:organization_ids AS uuid[]) IS NULL OR m."organizationId" = ANY (CAST(:organization_ids AS uuid[]))
       OR m."organizationId" IS NULL)
ORDER BY m.path;
