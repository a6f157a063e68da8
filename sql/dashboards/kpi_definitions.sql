-- Active KPI definitions of the organization.
SELECT k.name, k.description, k.formula, k.unit, k."targetValue" AS target, k.frequency, k.category
FROM kpi_definitions k
WHERE k."organizationId" = :organization_id AND k."isActive"
ORDER BY k.category, k.name, k.frequency
