-- The breakdown lines of one payslip (the payroll row must be the employee's, in the organization).
SELECT pi.code, pi.kind, pi.base, pi.rate, pi.amount
FROM payroll_items pi
JOIN payroll p ON p.id = pi."payrollId" AND p."organizationId" = pi."organizationId"
WHERE pi."organizationId" = :organization_id AND p."payrollNumber" = :payroll_number
  AND (CAST(:employee_id AS uuid) IS NULL OR p."employeeId" = CAST(:employee_id AS uuid))
ORDER BY pi.kind, pi.code
