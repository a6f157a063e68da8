-- The demo sign-in accounts: the users whose hash is the run's full-cost demo password hash.
SELECT u.role, u.email, o.name AS organization
FROM users AS u
JOIN employees AS e ON e."userId" = u.id
JOIN organizations AS o ON o.id = e."organizationId"
WHERE u.password = :password_hash
UNION ALL
SELECT u.role, u.email, o.name
FROM users AS u
JOIN workspace_users AS wu ON wu."userId" = u.id
JOIN workspaces AS w ON w.id = wu."workspaceId"
JOIN organizations AS o ON o.id = w."organizationId"
WHERE u.password = :password_hash AND u.role = 'investor'
ORDER BY 1, 2
