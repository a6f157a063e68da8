-- How many files one (organization, month) has had (restored ones included): the next part number.
SELECT count(*)
FROM audit_log_archives m
WHERE (m."organizationId" = CAST(:organization_id AS uuid)
       OR (CAST(:organization_id AS uuid) IS NULL AND m."organizationId" IS NULL))
  AND m.year = :year
  AND m.month = :month
  AND m.action = 'archive';
