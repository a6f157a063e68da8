-- The breakdown of the month's DRAFT rows, about to be written again.
DELETE FROM payroll_items i
USING payroll p
WHERE i."payrollId" = p.id
  AND i."organizationId" = p."organizationId"
  AND p."organizationId" = :organization_id
  AND p.year = :year
  AND p.month = :month
  AND p.status = 'DRAFT'
