-- Before a file is removed: how many of its rows (:ids) are live in audit_logs, and their id checksum
-- (as range_stats.sql computes it). The file goes only when both equal the file's own.
SELECT count(*) AS row_count,
       coalesce(sum(('x' || left(md5(a.id::text), 15))::bit(60)::bigint), 0)::text AS checksum
FROM audit_logs a
WHERE (a."organizationId" = CAST(:organization_id AS uuid)
       OR (CAST(:organization_id AS uuid) IS NULL AND a."organizationId" IS NULL))
  AND a.id = ANY (CAST(:ids AS uuid[]));
