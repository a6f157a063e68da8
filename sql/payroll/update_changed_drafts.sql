-- Recomputes the month's DRAFT rows whose amounts changed; APPROVED and PAID rows are never touched.
UPDATE payroll p
SET "basicSalary" = s."basicSalary",
    allowances = s.allowances,
    deductions = s.deductions,
    "taxAmount" = s."taxAmount",
    "netSalary" = s."netSalary",
    "workspaceId" = s."workspaceId",
    currency = s.currency,
    notes = s.notes,
    "updatedAt" = :now
FROM payroll_stage s
WHERE s.id = p.id
  AND s."organizationId" = p."organizationId"
  AND p."organizationId" = :organization_id
  AND p.year = :year
  AND p.month = :month
  AND p.status = 'DRAFT'
  AND (p."basicSalary", p.allowances, p.deductions, p."taxAmount", p."netSalary", p."workspaceId", p.currency, p.notes)
      IS DISTINCT FROM
      (s."basicSalary", s.allowances, s.deductions, s."taxAmount", s."netSalary", s."workspaceId", s.currency, s.notes)
