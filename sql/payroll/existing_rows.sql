-- The month's payroll rows of one organization, locked for this transaction (a concurrent approval
-- in the ERP waits until the run has written).
SELECT CAST(p.id AS text) AS id, CAST(p."employeeId" AS text) AS employee_id, p."payrollNumber" AS payroll_number, p.status
FROM payroll p
WHERE p."organizationId" = :organization_id AND p.year = :year AND p.month = :month
FOR UPDATE
