-- Asset check: rows of the month whose net pay is not gross − deductions − tax, or is negative.
SELECT p."organizationId" AS organization_id, p."payrollNumber" AS payroll_number,
       p."basicSalary" + coalesce(p.allowances, 0) - coalesce(p.deductions, 0) - coalesce(p."taxAmount", 0)
           AS expected_net,
       p."netSalary" AS net
FROM payroll p
WHERE p.year = :year
  AND p.month = :month
  AND (CAST(:organization_ids AS uuid[]) IS NULL OR p."organizationId" = ANY (CAST(:organization_ids AS uuid[])))
  AND (p."netSalary" < 0
       OR p."netSalary" <> p."basicSalary" + coalesce(p.allowances, 0) - coalesce(p.deductions, 0)
                           - coalesce(p."taxAmount", 0))
ORDER BY p."organizationId", p."payrollNumber"
