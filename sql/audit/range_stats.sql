-- Row count, id checksum and time span of one organization's live rows in [:start, :end).
-- The checksum (sum of the first 60 bits of md5(id)) is order-free; DuckDB computes the same over a file.
SELECT count(*) AS row_count,
       coalesce(sum(('x' || left(md5(a.id::text), 15))::bit(60)::bigint), 0)::text AS checksum,
       min(a."createdAt") AS min_created_at,
       max(a."createdAt") AS max_created_at
FROM audit_logs a
WHERE (a."organizationId" = CAST(:organization_id AS uuid)
       OR (CAST(:organization_id AS uuid) IS NULL AND a."organizationId" IS NULL))
  AND a."createdAt" >= :start
  AND a."createdAt" < :end;
