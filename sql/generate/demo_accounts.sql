-- The demo sign-in accounts: the users whose hash is the run's full-cost demo password hash, each with
-- their home organization (of their employee record; the investor's: the first one they joined).
SELECT DISTINCT ON (u.email) u.role, u.email, o.name AS organization
FROM users AS u
JOIN workspace_users AS wu ON wu."userId" = u.id
JOIN workspaces AS w ON w.id = wu."workspaceId"
JOIN organizations AS o ON o.id = w."organizationId"
LEFT JOIN employees AS e ON e."userId" = u.id AND e."organizationId" = w."organizationId"
WHERE u.password = :password_hash
ORDER BY u.email, (e.id IS NULL), wu."joinedAt", w."isDefault" DESC
