-- Records what the recomputed employees' rows of one organization's month were computed from
-- (payroll_input_digests): a new record, or the old one replaced when it differs.
INSERT INTO payroll_input_digests ("organizationId", year, month, "employeeId", "inputsDigest", "payrollId")
SELECT CAST(:organization_id AS uuid), :year, :month, s."employeeId", s."inputsDigest", s."payrollId"
FROM payroll_digests_stage s
ON CONFLICT ("organizationId", year, month, "employeeId") DO UPDATE
SET "inputsDigest" = excluded."inputsDigest", "payrollId" = excluded."payrollId"
WHERE (payroll_input_digests."inputsDigest", payroll_input_digests."payrollId")
      IS DISTINCT FROM (excluded."inputsDigest", excluded."payrollId")
