-- One organization's rows in [:start, :end), in time order, as archived (columns of export.SCHEMA:
-- uuids and JSONB as their text, as ADBC would otherwise return Arrow uuid/json extension types).
SELECT a.id::text AS id, a."organizationId"::text AS "organizationId", a."userId"::text AS "userId", a.action,
       a.entity, a."entityId"::text AS "entityId", a."oldValue"::text AS "oldValue",
       a."newValue"::text AS "newValue", a."ipAddress", a."userAgent", a."createdAt"
FROM audit_logs a
WHERE (a."organizationId" = CAST(:organization_id AS uuid)
       OR (CAST(:organization_id AS uuid) IS NULL AND a."organizationId" IS NULL))
  AND a."createdAt" >= :start
  AND a."createdAt" < :end
ORDER BY a."createdAt", a.id;
