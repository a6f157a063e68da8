-- Asset check: live rows of one organization (NULL: global) older than its retention cutoff.
SELECT count(*)
FROM audit_logs a
WHERE (a."organizationId" = CAST(:organization_id AS uuid)
       OR (CAST(:organization_id AS uuid) IS NULL AND a."organizationId" IS NULL))
  AND a."createdAt" < :cutoff;
