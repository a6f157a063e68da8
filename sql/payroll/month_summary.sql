-- The month of one organization after the run: rows and amounts by status, and the employer cost
-- (employer contributions of the breakdown). The lines are summed per status straight away (a few
-- groups), not per row first.
WITH by_status AS (
    SELECT p.status,
           count(*) AS rows,
           coalesce(sum(p."basicSalary" + coalesce(p.allowances, 0)), 0) AS gross,
           coalesce(sum(p.deductions), 0) AS deductions,
           coalesce(sum(p."taxAmount"), 0) AS tax,
           coalesce(sum(p."netSalary"), 0) AS net
    FROM payroll p
    WHERE p."organizationId" = :organization_id AND p.year = :year AND p.month = :month
    GROUP BY p.status
),
employer AS (
    SELECT p.status, sum(i.amount) AS amount
    FROM payroll p
    JOIN payroll_items i ON i."payrollId" = p.id AND i."organizationId" = p."organizationId"
    WHERE p."organizationId" = :organization_id AND p.year = :year AND p.month = :month AND i.kind = 'employer'
    GROUP BY p.status
)
SELECT s.status, s.rows, s.gross, s.deductions, s.tax, s.net,
       coalesce(e.amount, 0) AS employer_contributions
FROM by_status s
LEFT JOIN employer e ON e.status IS NOT DISTINCT FROM s.status
ORDER BY s.status
