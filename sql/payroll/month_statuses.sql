-- The month's rows of one organization by status before the run writes (DRAFT ones may be rewritten,
-- any other status is never recomputed).
SELECT coalesce(p.status, 'NULL') AS status, count(*) AS rows
FROM payroll p
WHERE p."organizationId" = :organization_id AND p.year = :year AND p.month = :month
GROUP BY p.status
