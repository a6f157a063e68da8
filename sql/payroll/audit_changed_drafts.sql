-- An audit row (old and new values) for every DRAFT row of the month whose amounts change.
INSERT INTO audit_logs ("organizationId", action, entity, "entityId", "oldValue", "newValue", "userAgent", "createdAt")
SELECT p."organizationId", 'UPDATE', 'payroll', p.id,
       jsonb_build_object('basicSalary', p."basicSalary", 'allowances', p.allowances, 'deductions', p.deductions,
                          'taxAmount', p."taxAmount", 'netSalary', p."netSalary", 'workspaceId', p."workspaceId",
                          'currency', p.currency, 'notes', p.notes),
       jsonb_build_object('basicSalary', s."basicSalary", 'allowances', s.allowances, 'deductions', s.deductions,
                          'taxAmount', s."taxAmount", 'netSalary', s."netSalary", 'workspaceId', s."workspaceId",
                          'currency', s.currency, 'notes', s.notes),
       :user_agent, :now
FROM payroll p
JOIN payroll_stage s ON s.id = p.id AND s."organizationId" = p."organizationId"
WHERE p."organizationId" = :organization_id
  AND p.year = :year
  AND p.month = :month
  AND p.status = 'DRAFT'
  AND (p."basicSalary", p.allowances, p.deductions, p."taxAmount", p."netSalary", p."workspaceId", p.currency, p.notes)
      IS DISTINCT FROM
      (s."basicSalary", s.allowances, s.deductions, s."taxAmount", s."netSalary", s."workspaceId", s.currency, s.notes)
