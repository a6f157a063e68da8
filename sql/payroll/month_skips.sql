-- The month's skip reasons of one organization after the run, for its report: every skipped employee,
-- recomputed by this run or left as the last run found it.
SELECT CAST(s."employeeId" AS text) AS employee_id, e."employeeCode" AS employee_code, s.reason
FROM payroll_skips s
LEFT JOIN employees e ON e.id = s."employeeId" AND e."organizationId" = s."organizationId"
WHERE s."organizationId" = :organization_id AND s.year = :year AND s.month = :month
ORDER BY e."employeeCode", s."employeeId"
