-- Creates the month's missing rows (staged with status NEW, stored as DRAFT) and an audit row for each.
WITH created AS (
    INSERT INTO payroll (id, "organizationId", "workspaceId", "employeeId", "payrollNumber", month, year,
                         "basicSalary", allowances, deductions, "taxAmount", "netSalary", currency, status,
                         notes, "createdAt", "updatedAt")
    SELECT s.id, s."organizationId", s."workspaceId", s."employeeId", s."payrollNumber", s.month, s.year,
           s."basicSalary", s.allowances, s.deductions, s."taxAmount", s."netSalary", s.currency, 'DRAFT',
           s.notes, :now, :now
    FROM payroll_stage s
    WHERE s."organizationId" = :organization_id
      AND s.status = 'NEW'  -- the run found no row for the employee (under the month's lock)
    RETURNING *
)
INSERT INTO audit_logs ("organizationId", action, entity, "entityId", "oldValue", "newValue", "userAgent", "createdAt")
SELECT c."organizationId", 'CREATE', 'payroll', c.id, NULL,
       jsonb_build_object('payrollNumber', c."payrollNumber", 'employeeId', c."employeeId", 'year', c.year,
                          'month', c.month, 'status', c.status, 'basicSalary', c."basicSalary",
                          'allowances', c.allowances, 'deductions', c.deductions, 'taxAmount', c."taxAmount",
                          'netSalary', c."netSalary", 'workspaceId', c."workspaceId", 'currency', c.currency,
                          'notes', c.notes),
       :user_agent, :now
FROM created c
