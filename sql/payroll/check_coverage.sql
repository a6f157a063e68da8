-- Asset check: active employees hired by the month's end with neither a payroll row nor a skip
-- reason for the month, in the organizations the month was run for (those with a row or a skip).
-- A NULL or unknown status counts as due (employees.sql skips it with the reason).
SELECT e."organizationId" AS organization_id, e.id AS employee_id, e."employeeCode" AS employee_code
FROM employees e
WHERE (lower(btrim(e.status)) = 'active' OR e.status IS NULL
       OR lower(btrim(e.status)) NOT IN ('pending', 'inactive', 'terminated'))
  AND e."deletedAt" IS NULL
  AND (e."hireDate" IS NULL OR e."hireDate" <= :last_day)
  AND (CAST(:organization_ids AS uuid[]) IS NULL OR e."organizationId" = ANY (CAST(:organization_ids AS uuid[])))
  AND (EXISTS (SELECT 1 FROM payroll r
               WHERE r."organizationId" = e."organizationId" AND r.year = :year AND r.month = :month)
       OR EXISTS (SELECT 1 FROM payroll_skips k
                  WHERE k."organizationId" = e."organizationId" AND k.year = :year AND k.month = :month))
  AND NOT EXISTS (
      SELECT 1 FROM payroll p
      WHERE p."employeeId" = e.id AND p."organizationId" = e."organizationId" AND p.year = :year AND p.month = :month)
  AND NOT EXISTS (
      SELECT 1 FROM payroll_skips s
      WHERE s."employeeId" = e.id AND s."organizationId" = e."organizationId" AND s.year = :year AND s.month = :month)
ORDER BY e."organizationId", e."employeeCode"
