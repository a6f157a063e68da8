-- The staged skip reasons of one organization's month into payroll_skips (one set-based insert).
INSERT INTO payroll_skips ("employeeId", year, month, "organizationId", reason, "createdAt")
SELECT s."employeeId", s.year, s.month, s."organizationId", s.reason, s."createdAt"
FROM payroll_skips_stage s
WHERE s."organizationId" = :organization_id
