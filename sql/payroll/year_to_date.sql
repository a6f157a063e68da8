-- Taxable income (the ИПН base) of earlier months of the year, per employee of one organization:
-- the progressive ИПН threshold applies to the year to date.
SELECT CAST(p."employeeId" AS text) AS employee_id, sum(i.base) AS taxable
FROM payroll p
JOIN payroll_items i ON i."payrollId" = p.id AND i."organizationId" = p."organizationId"
WHERE p."organizationId" = :organization_id
  AND p.year = :year
  AND p.month < :month
  AND i.code = 'IPN'
GROUP BY p."employeeId"
