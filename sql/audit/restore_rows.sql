-- Restore: rows of the staged file that are not live already (a re-run after a crash adds nothing twice;
-- the key of the month-partitioned table is (id, "createdAt"), and a restored row keeps its createdAt).
INSERT INTO audit_logs (id, "organizationId", "userId", action, entity, "entityId", "oldValue", "newValue",
                        "ipAddress", "userAgent", "createdAt")
SELECT s.id, s."organizationId", s."userId", s.action, s.entity, s."entityId", s."oldValue", s."newValue",
       s."ipAddress", s."userAgent", s."createdAt"
FROM audit_restore_staging s
WHERE s."organizationId" IS NOT DISTINCT FROM CAST(:organization_id AS uuid)
ON CONFLICT (id, "createdAt") DO NOTHING;
