-- The signed-in user (read with the jobs login at sign-in: the reader may not read users).
SELECT u.id, u.email, u."firstName", u."lastName", u.role, u."isActive"
FROM users u
WHERE u.id = :user_id AND u."deletedAt" IS NULL
