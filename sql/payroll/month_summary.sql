-- The month of one organization after the run: rows and amounts by status, and the employer cost
-- (employer contributions of the breakdown).
SELECT p.status,
       count(*) AS rows,
       coalesce(sum(p."basicSalary" + coalesce(p.allowances, 0)), 0) AS gross,
       coalesce(sum(p.deductions), 0) AS deductions,
       coalesce(sum(p."taxAmount"), 0) AS tax,
       coalesce(sum(p."netSalary"), 0) AS net,
       coalesce(sum(employer.amount), 0) AS employer_contributions
FROM payroll p
LEFT JOIN (
    SELECT i."payrollId", i."organizationId", sum(i.amount) AS amount
    FROM payroll_items i
    WHERE i."organizationId" = :organization_id AND i.kind = 'employer'
    GROUP BY i."payrollId", i."organizationId"
) employer ON employer."payrollId" = p.id AND employer."organizationId" = p."organizationId"
WHERE p."organizationId" = :organization_id AND p.year = :year AND p.month = :month
GROUP BY p.status
ORDER BY p.status
