-- The oldest live row of one organization (NULL: the global rows) in [:after, :cutoff): one probe of
-- idx_audit_logs_org_created per archived month instead of a scan of the whole history.
SELECT min(a."createdAt")
FROM audit_logs a
WHERE (a."organizationId" = CAST(:organization_id AS uuid)
       OR (CAST(:organization_id AS uuid) IS NULL AND a."organizationId" IS NULL))
  AND a."createdAt" >= :after
  AND a."createdAt" < :cutoff;
