-- Audit query: one organization's live rows matching the filters (NULL: not filtered), newest first.
SELECT a.id::text AS id, a."organizationId"::text AS "organizationId", a."userId"::text AS "userId", a.action,
       a.entity, a."entityId"::text AS "entityId", a."oldValue"::text AS "oldValue",
       a."newValue"::text AS "newValue", a."ipAddress", a."userAgent", a."createdAt"
FROM audit_logs a
WHERE a."organizationId" = CAST(:organization_id AS uuid)
  AND (CAST(:user_id AS uuid) IS NULL OR a."userId" = CAST(:user_id AS uuid))
  AND (CAST(:entity AS text) IS NULL OR a.entity = CAST(:entity AS text))
  AND (CAST(:entity_id AS uuid) IS NULL OR a."entityId" = CAST(:entity_id AS uuid))
  AND (CAST(:action AS text) IS NULL OR a.action = CAST(:action AS text))
  AND (CAST(:start AS timestamp) IS NULL OR a."createdAt" >= CAST(:start AS timestamp))
  AND (CAST(:end AS timestamp) IS NULL OR a."createdAt" < CAST(:end AS timestamp))
ORDER BY a."createdAt" DESC NULLS LAST, a.id DESC
LIMIT :limit;
