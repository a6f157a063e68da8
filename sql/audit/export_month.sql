-- One month of the given organizations' rows (and of the rows without organization when :with_global),
-- in time order, as archived: one scan of the month's partition for all of them (columns of
-- export.SCHEMA: uuids and JSONB as their text). The caller splits the rows into one file each.
SELECT a.id::text AS id, a."organizationId"::text AS "organizationId", a."userId"::text AS "userId", a.action,
       a.entity, a."entityId"::text AS "entityId", a."oldValue"::text AS "oldValue",
       a."newValue"::text AS "newValue", a."ipAddress", a."userAgent", a."createdAt"
FROM audit_logs a
WHERE (a."organizationId" = ANY (CAST(:organization_ids AS uuid[]))
       OR (CAST(:with_global AS boolean) AND a."organizationId" IS NULL))
  AND a."createdAt" >= :start
  AND a."createdAt" < :end
ORDER BY a."createdAt", a.id;
