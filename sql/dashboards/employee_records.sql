-- The user's employee record in each organization (for "my payslips").
SELECT e."organizationId" AS organization_id, e.id AS employee_id
FROM employees e
WHERE e."userId" = :user_id AND e."deletedAt" IS NULL
