-- The entities with live audit rows in the range (the Audit page's hint lists what a search can find).
SELECT DISTINCT a.entity
FROM audit_logs a
WHERE a."organizationId" = :organization_id
  AND a."createdAt" >= CAST(:start AS timestamp) AND a."createdAt" < CAST(:end AS timestamp)
ORDER BY a.entity
LIMIT 50
