-- Every manifest link of one organization (NULL: the global rows), in chain order.
SELECT m.id::text AS id, m."organizationId"::text AS organization_id, m.year, m.month, m.path,
       m."rowCount" AS row_count, m."minCreatedAt" AS min_created_at, m."maxCreatedAt" AS max_created_at,
       m."fileSha256" AS file_sha256, m."contentChecksum" AS content_checksum,
       m."chainPosition" AS chain_position, m."prevHash" AS prev_hash, m.hash, m."archivedAt" AS archived_at,
       m."runKey" AS run_key, m."restoredAt" AS restored_at, m.action, m."restoresId"::text AS restores_id
FROM audit_log_archives m
WHERE m."organizationId" = CAST(:organization_id AS uuid)
   OR (CAST(:organization_id AS uuid) IS NULL AND m."organizationId" IS NULL)
ORDER BY m."chainPosition", m.id;
