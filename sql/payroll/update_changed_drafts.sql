-- Recomputes the month's DRAFT rows whose amounts changed, with an audit row (old and new values)
-- for each, in one pass; APPROVED and PAID rows are never touched. Its row count is the changes'.
WITH changed AS (
    SELECT p.id, p."organizationId",
           s."basicSalary", s.allowances, s.deductions, s."taxAmount", s."netSalary", s."workspaceId",
           s.currency, s.notes,
           jsonb_build_object('basicSalary', p."basicSalary", 'allowances', p.allowances,
                              'deductions', p.deductions, 'taxAmount', p."taxAmount", 'netSalary', p."netSalary",
                              'workspaceId', p."workspaceId", 'currency', p.currency, 'notes', p.notes) AS old_value,
           jsonb_build_object('basicSalary', s."basicSalary", 'allowances', s.allowances,
                              'deductions', s.deductions, 'taxAmount', s."taxAmount", 'netSalary', s."netSalary",
                              'workspaceId', s."workspaceId", 'currency', s.currency, 'notes', s.notes) AS new_value
    FROM payroll p
    JOIN payroll_stage s ON s.id = p.id AND s."organizationId" = p."organizationId"
    WHERE p."organizationId" = :organization_id
      AND p.year = :year
      AND p.month = :month
      AND p.status = 'DRAFT'
      AND (p."basicSalary", p.allowances, p.deductions, p."taxAmount", p."netSalary", p."workspaceId", p.currency,
           p.notes)
          IS DISTINCT FROM
          (s."basicSalary", s.allowances, s.deductions, s."taxAmount", s."netSalary", s."workspaceId", s.currency,
           s.notes)
),
updated AS (
    UPDATE payroll p
    SET "basicSalary" = c."basicSalary",
        allowances = c.allowances,
        deductions = c.deductions,
        "taxAmount" = c."taxAmount",
        "netSalary" = c."netSalary",
        "workspaceId" = c."workspaceId",
        currency = c.currency,
        notes = c.notes,
        "updatedAt" = :now
    FROM changed c
    WHERE p.id = c.id AND p."organizationId" = c."organizationId"
    RETURNING p.id, p."organizationId"
)
INSERT INTO audit_logs ("organizationId", action, entity, "entityId", "oldValue", "newValue", "userAgent", "createdAt")
SELECT u."organizationId", 'UPDATE', 'payroll', u.id, c.old_value, c.new_value, :user_agent, :now
FROM updated u
JOIN changed c ON c.id = u.id AND c."organizationId" = u."organizationId"
