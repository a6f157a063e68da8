-- A restored file's manifest stays in the chain, marked restored (its rows are live again).
UPDATE audit_log_archives m
SET "restoredAt" = :restored_at
WHERE (m."organizationId" = CAST(:organization_id AS uuid)
       OR (CAST(:organization_id AS uuid) IS NULL AND m."organizationId" IS NULL))
  AND m.id = CAST(:manifest_id AS uuid)
  AND m."restoredAt" IS NULL;
