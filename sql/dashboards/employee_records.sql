-- The user's employee record in each organization (for "my payslips"). Sign-in runs before any tenant
-- is chosen, so the organizations are the user's own ones, reached through the record's organization
-- (as in memberships.sql), never a list from outside.
SELECT e."organizationId" AS organization_id, e.id AS employee_id
FROM employees e
JOIN organizations o ON o.id = e."organizationId"
WHERE e."userId" = :user_id AND e."deletedAt" IS NULL AND o."deletedAt" IS NULL
