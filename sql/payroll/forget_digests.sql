-- The records of employees of one organization's month the run does not pay any more.
DELETE FROM payroll_input_digests r
WHERE r."organizationId" = :organization_id
  AND r.year = :year
  AND r.month = :month
  AND r."employeeId" = ANY (CAST(:employee_ids AS uuid[]))
