-- The account an e-mail logs into: case-insensitive, the exact spelling first; deleted or
-- deactivated accounts cannot log in.
SELECT id, password
FROM users
WHERE lower(email) = :email AND "deletedAt" IS NULL AND coalesce("isActive", true)
ORDER BY email = :given DESC, id
LIMIT 1;
