-- DRAFT -> APPROVED for one organization's month: an audit row per row and a notification to each
-- employee's user that the payslip is ready. Returns the counts.
WITH approved AS (
    UPDATE payroll p
    SET status = 'APPROVED', "updatedAt" = :now
    WHERE p."organizationId" = :organization_id AND p.year = :year AND p.month = :month AND p.status = 'DRAFT'
    RETURNING p.id, p."organizationId", p."employeeId", p."payrollNumber", p."netSalary", p.currency
),
audited AS (
    INSERT INTO audit_logs ("organizationId", action, entity, "entityId", "oldValue", "newValue", "userAgent",
                            "createdAt")
    SELECT a."organizationId", 'APPROVE', 'payroll', a.id, jsonb_build_object('status', 'DRAFT'),
           jsonb_build_object('status', 'APPROVED'), :user_agent, :now
    FROM approved a
    RETURNING 1
),
notified AS (
    INSERT INTO notifications ("userId", type, category, title, message, data, "isRead", "createdAt")
    SELECT e."userId", 'info', 'payroll', 'Payslip for ' || :period || ' is ready',
           'Your payslip ' || a."payrollNumber" || ' for ' || :period || ' is ready: net pay '
               || to_char(a."netSalary", 'FM999G999G999G990D00') || ' ' || coalesce(a.currency, 'KZT') || '.',
           jsonb_build_object('payrollId', a.id, 'payrollNumber', a."payrollNumber", 'organizationId',
                              a."organizationId", 'period', :period, 'netSalary', a."netSalary"),
           false, :now
    FROM approved a
    JOIN employees e ON e.id = a."employeeId" AND e."organizationId" = a."organizationId"
    RETURNING 1
)
SELECT (SELECT count(*) FROM approved) AS approved,
       (SELECT count(*) FROM audited) AS audited,
       (SELECT count(*) FROM notified) AS notified
