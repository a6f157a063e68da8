-- Skip reasons of one organization's month, replaced by every run.
DELETE FROM payroll_skips s
WHERE s."organizationId" = :organization_id AND s.year = :year AND s.month = :month
