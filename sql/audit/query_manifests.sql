-- Audit query: the archived files of one organization that may hold rows in [:start, :end)
-- (either bound NULL: open).
SELECT m.id::text AS id, m.path
FROM audit_log_archives m
WHERE m."organizationId" = CAST(:organization_id AS uuid)
  AND m."restoredAt" IS NULL
  AND (CAST(:start AS timestamp) IS NULL OR m."maxCreatedAt" >= CAST(:start AS timestamp))
  AND (CAST(:end AS timestamp) IS NULL OR m."minCreatedAt" < CAST(:end AS timestamp))
ORDER BY m.path;
