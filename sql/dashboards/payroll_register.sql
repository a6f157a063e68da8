-- The payroll register of one month: per employee gross, withholdings (ОПВ + ВОСМС), ИПН, net and
-- employer cost (gross + employer contributions from payroll_items); :employee_id narrows to one employee;
-- :issued_only leaves out DRAFT payslips (an employee sees a payslip once it is approved).
WITH employer AS (
    SELECT pi."payrollId", sum(pi.amount) AS contributions
    FROM payroll_items pi
    WHERE pi."organizationId" = :organization_id AND pi.kind = 'employer'
    GROUP BY pi."payrollId"
)
SELECT p."payrollNumber" AS payroll_number, e."employeeCode" AS code,
       concat_ws(' ', u."firstName", u."lastName") AS employee, p.year, p.month,
       p."basicSalary" + p.allowances AS gross, p.deductions AS withholdings, p."taxAmount" AS ipn,
       p."netSalary" AS net, p."basicSalary" + p.allowances + coalesce(r.contributions, 0) AS employer_cost,
       p.status, p."paymentDate" AS paid_on
FROM payroll p
JOIN employees e ON e.id = p."employeeId" AND e."organizationId" = p."organizationId"
LEFT JOIN users u ON u.id = e."userId"
LEFT JOIN employer r ON r."payrollId" = p.id
WHERE p."organizationId" = :organization_id
  AND (CAST(:year AS integer) IS NULL OR (p.year = :year AND p.month = :month))
  AND (CAST(:employee_id AS uuid) IS NULL OR p."employeeId" = CAST(:employee_id AS uuid))
  AND (NOT CAST(:issued_only AS boolean) OR upper(p.status) <> 'DRAFT')
  AND (CAST(:workspace_ids AS uuid[]) IS NULL OR p."workspaceId" = ANY(CAST(:workspace_ids AS uuid[])))
ORDER BY p.year DESC, p.month DESC, e."employeeCode"
