-- Restore: rows of the staged file that are not live already (a re-run after a crash adds nothing twice).
INSERT INTO audit_logs (id, "organizationId", "userId", action, entity, "entityId", "oldValue", "newValue",
                        "ipAddress", "userAgent", "createdAt")
SELECT s.id, s."organizationId", s."userId", s.action, s.entity, s."entityId", s."oldValue", s."newValue",
       s."ipAddress", s."userAgent", s."createdAt"
FROM audit_restore_staging s
WHERE s."organizationId" IS NOT DISTINCT FROM CAST(:organization_id AS uuid)
ON CONFLICT (id) DO NOTHING;
