-- The highest sequence of this month's payroll numbers (PAY-YYYYMM-NNNNNN) in one organization.
SELECT coalesce(max(CAST(substring(p."payrollNumber" FROM length(:prefix) + 1) AS bigint)), 0)
FROM payroll p
WHERE p."organizationId" = :organization_id
  AND p."payrollNumber" LIKE :prefix || '%'
  AND substring(p."payrollNumber" FROM length(:prefix) + 1) ~ '^[0-9]{1,18}$'
