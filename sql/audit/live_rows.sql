-- Audit query: one organization's live rows matching the filters (NULL: not filtered), newest first.
-- createdAt is NOT NULL (the partition key) and the range is a pair of plain bounds, so a backward scan of
-- idx_audit_logs_org_created serves the order (ties on id sorted incrementally) and the LIMIT stops the
-- scan: the audit_logs policy's per-row credential check runs on about `limit` rows, not the whole range.
SELECT a.id::text AS id, a."organizationId"::text AS "organizationId", a."userId"::text AS "userId", a.action,
       a.entity, a."entityId"::text AS "entityId", a."oldValue"::text AS "oldValue",
       a."newValue"::text AS "newValue", a."ipAddress", a."userAgent", a."createdAt"
FROM audit_logs a
WHERE a."organizationId" = CAST(:organization_id AS uuid)
  AND (CAST(:user_id AS uuid) IS NULL OR a."userId" = CAST(:user_id AS uuid))
  AND (CAST(:entity AS text) IS NULL OR a.entity = CAST(:entity AS text))
  AND (CAST(:entity_id AS uuid) IS NULL OR a."entityId" = CAST(:entity_id AS uuid))
  AND (CAST(:action AS text) IS NULL OR a.action = CAST(:action AS text))
  AND a."createdAt" >= coalesce(CAST(:start AS timestamp), '-infinity')
  -- "< end" as bounds an index and a generic plan can use (an end of NULL keeps 'infinity' itself)
  AND a."createdAt" <= coalesce(CAST(:end AS timestamp), 'infinity')
  AND (CAST(:end AS timestamp) IS NULL OR a."createdAt" <> CAST(:end AS timestamp))
ORDER BY a."createdAt" DESC, a.id DESC
LIMIT :limit;
