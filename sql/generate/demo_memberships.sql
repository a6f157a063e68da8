-- Where each demo sign-in account belongs: organization, workspace and the workspace role (the
-- organization's creator: 'creator', every workspace), for the demo's accounts table.
SELECT u.email, o.name AS organization, w.name AS workspace,
       CASE WHEN o."createdBy" = u.id THEN 'creator' ELSE wu.role END AS membership
FROM users AS u
JOIN workspace_users AS wu ON wu."userId" = u.id AND wu."isActive"
JOIN workspaces AS w ON w.id = wu."workspaceId"
JOIN organizations AS o ON o.id = w."organizationId"
WHERE u.password = :password_hash
ORDER BY u.email, o.name, w."isDefault" DESC, w.name
