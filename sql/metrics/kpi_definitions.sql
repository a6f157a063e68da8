-- Active KPI definitions with a formula, of the run's organizations; the latest first when a name
-- and frequency repeat.
SELECT k.id, k."organizationId", k.name, k.formula, k.frequency
FROM kpi_definitions k
WHERE k."organizationId" = ANY (CAST(:organization_ids AS uuid[]))
  AND k."isActive" AND nullif(btrim(k.formula), '') IS NOT NULL
ORDER BY k."organizationId", k.name, k.frequency, k."updatedAt" DESC NULLS LAST, k.id
