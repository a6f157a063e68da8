-- The staged breakdown lines of one organization's month into payroll_items (one set-based insert).
INSERT INTO payroll_items (id, "payrollId", "organizationId", code, kind, base, rate, amount, details)
SELECT s.id, s."payrollId", s."organizationId", s.code, s.kind, s.base, s.rate, s.amount, s.details
FROM payroll_items_stage s
WHERE s."organizationId" = :organization_id
