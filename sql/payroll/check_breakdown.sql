-- Asset check: rows of the month whose breakdown disagrees with them (earnings ≠ basicSalary +
-- allowances, withholdings ≠ deductions, tax ≠ taxAmount).
SELECT p."organizationId" AS organization_id, p."payrollNumber" AS payroll_number
FROM payroll p
LEFT JOIN LATERAL (
    SELECT coalesce(sum(i.amount) FILTER (WHERE i.kind = 'earning'), 0) AS earnings,
           coalesce(sum(i.amount) FILTER (WHERE i.kind = 'withholding'), 0) AS withholdings,
           coalesce(sum(i.amount) FILTER (WHERE i.kind = 'tax'), 0) AS tax
    FROM payroll_items i
    WHERE i."payrollId" = p.id AND i."organizationId" = p."organizationId"
) items ON true
WHERE p.year = :year
  AND p.month = :month
  AND (CAST(:organization_ids AS uuid[]) IS NULL OR p."organizationId" = ANY (CAST(:organization_ids AS uuid[])))
  AND (items.earnings <> p."basicSalary" + coalesce(p.allowances, 0)
       OR items.withholdings <> coalesce(p.deductions, 0)
       OR items.tax <> coalesce(p."taxAmount", 0))
ORDER BY p."organizationId", p."payrollNumber"
