-- Step 4 of the protocol: delete the archived rows, returning the count and id checksum of what was
-- deleted; the caller commits only when both equal the verified file's (else rolls back).
WITH deleted AS (
    DELETE FROM audit_logs a
    WHERE (a."organizationId" = CAST(:organization_id AS uuid)
           OR (CAST(:organization_id AS uuid) IS NULL AND a."organizationId" IS NULL))
      AND a."createdAt" >= :start
      AND a."createdAt" < :end
    RETURNING a.id
)
SELECT count(*) AS row_count,
       coalesce(sum(('x' || left(md5(d.id::text), 15))::bit(60)::bigint), 0)::text AS checksum
FROM deleted d;
