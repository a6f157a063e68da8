-- Asset check: rows of the month whose breakdown disagrees with them (earnings ≠ basicSalary +
-- allowances, withholdings ≠ deductions, tax ≠ taxAmount).
WITH month_rows AS (
    SELECT p.id, p."organizationId", p."payrollNumber", p."basicSalary", p.allowances, p.deductions, p."taxAmount"
    FROM payroll p
    WHERE p.year = :year
      AND p.month = :month
      AND (CAST(:organization_ids AS uuid[]) IS NULL OR p."organizationId" = ANY (CAST(:organization_ids AS uuid[])))
),
lines AS (
    SELECT i."payrollId", i."organizationId",
           coalesce(sum(i.amount) FILTER (WHERE i.kind = 'earning'), 0) AS earnings,
           coalesce(sum(i.amount) FILTER (WHERE i.kind = 'withholding'), 0) AS withholdings,
           coalesce(sum(i.amount) FILTER (WHERE i.kind = 'tax'), 0) AS tax
    FROM payroll_items i
    JOIN month_rows r ON r.id = i."payrollId" AND r."organizationId" = i."organizationId"
    GROUP BY i."payrollId", i."organizationId"
)
SELECT r."organizationId" AS organization_id, r."payrollNumber" AS payroll_number
FROM month_rows r
LEFT JOIN lines l ON l."payrollId" = r.id AND l."organizationId" = r."organizationId"
WHERE coalesce(l.earnings, 0) <> r."basicSalary" + coalesce(r.allowances, 0)
   OR coalesce(l.withholdings, 0) <> coalesce(r.deductions, 0)
   OR coalesce(l.tax, 0) <> coalesce(r."taxAmount", 0)
ORDER BY r."organizationId", r."payrollNumber"
