-- Audit query: the active archived files of one organization (archive links not restored since) that
-- may hold rows in [:start, :end) (either bound NULL: open).
SELECT m.id::text AS id, m.path
FROM audit_log_archives m
WHERE m."organizationId" = CAST(:organization_id AS uuid)
  AND m.action = 'archive'
  AND m."restoredAt" IS NULL
  AND NOT EXISTS (SELECT 1
                  FROM audit_log_archives r
                  WHERE r."organizationId" = CAST(:organization_id AS uuid) AND r."restoresId" = m.id)
  AND (CAST(:start AS timestamp) IS NULL OR m."maxCreatedAt" >= CAST(:start AS timestamp))
  AND (CAST(:end AS timestamp) IS NULL OR m."minCreatedAt" < CAST(:end AS timestamp))
ORDER BY m.path;
