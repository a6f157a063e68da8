-- DRAFT rows of the month whose employee is no longer paid by this run (left, skipped, deleted) go,
-- with their breakdown (ON DELETE CASCADE) and an audit row each. The run found them under the
-- month's lock (:stale_ids).
WITH removed AS (
    DELETE FROM payroll p
    WHERE p."organizationId" = :organization_id
      AND p.year = :year
      AND p.month = :month
      AND p.status = 'DRAFT'
      AND p.id = ANY (CAST(:stale_ids AS uuid[]))
    RETURNING *
)
INSERT INTO audit_logs ("organizationId", action, entity, "entityId", "oldValue", "newValue", "userAgent", "createdAt")
SELECT r."organizationId", 'DELETE', 'payroll', r.id,
       jsonb_build_object('payrollNumber', r."payrollNumber", 'employeeId', r."employeeId", 'status', r.status,
                          'basicSalary', r."basicSalary", 'allowances', r.allowances, 'deductions', r.deductions,
                          'taxAmount', r."taxAmount", 'netSalary', r."netSalary"),
       NULL, :user_agent, :now
FROM removed r
