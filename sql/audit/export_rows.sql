-- One organization's rows in [:start, :end), in time order, as archived (columns of export.SCHEMA).
SELECT a.id, a."organizationId", a."userId", a.action, a.entity, a."entityId", a."oldValue", a."newValue",
       a."ipAddress", a."userAgent", a."createdAt"
FROM audit_logs a
WHERE (a."organizationId" = CAST(:organization_id AS uuid)
       OR (CAST(:organization_id AS uuid) IS NULL AND a."organizationId" IS NULL))
  AND a."createdAt" >= :start
  AND a."createdAt" < :end
ORDER BY a."createdAt", a.id;
