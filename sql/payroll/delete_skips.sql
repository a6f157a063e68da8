-- Skip reasons of one organization's month that the run replaces: those of the employees it
-- recomputed or removed, and any without a record of the inputs they were found on (written before
-- the records existed, or of an employee gone since).
DELETE FROM payroll_skips s
WHERE s."organizationId" = :organization_id
  AND s.year = :year
  AND s.month = :month
  AND (s."employeeId" = ANY (CAST(:employee_ids AS uuid[]))
       OR NOT EXISTS (SELECT 1
                      FROM payroll_input_digests r
                      WHERE r."organizationId" = s."organizationId"
                        AND r.year = s.year
                        AND r.month = s.month
                        AND r."employeeId" = s."employeeId"))
