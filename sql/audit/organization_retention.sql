-- The organizations in scope (all, or the given ids) and their own retention setting, raw
-- (settings.audit.retentionMonths; validated by the caller).
SELECT o.id::text AS organization_id, o.settings -> 'audit' ->> 'retentionMonths' AS retention_months
FROM organizations o
WHERE CAST(:organization_ids AS uuid[]) IS NULL OR o.id = ANY (CAST(:organization_ids AS uuid[]))
ORDER BY o.id;
