-- Every (organization, workspace) the user belongs to, with how: a workspace membership (its role),
-- an employee record ('employee') or having created the organization ('creator': all its workspaces).
SELECT o.id AS organization_id, o.name AS organization, w.id AS workspace_id, w.name AS workspace,
       wu.role AS membership
FROM workspace_users wu
JOIN workspaces w ON w.id = wu."workspaceId"
JOIN organizations o ON o.id = w."organizationId"
WHERE wu."userId" = :user_id AND wu."isActive" AND w."deletedAt" IS NULL AND o."deletedAt" IS NULL
UNION
SELECT o.id, o.name, w.id, w.name, 'employee'
FROM employees e
JOIN workspaces w ON w.id = e."workspaceId" AND w."organizationId" = e."organizationId"
JOIN organizations o ON o.id = e."organizationId"
WHERE e."userId" = :user_id AND e."deletedAt" IS NULL AND w."deletedAt" IS NULL AND o."deletedAt" IS NULL
UNION
SELECT o.id, o.name, w.id, w.name, 'creator'
FROM organizations o
JOIN workspaces w ON w."organizationId" = o.id
WHERE o."createdBy" = :user_id AND w."deletedAt" IS NULL AND o."deletedAt" IS NULL
ORDER BY 2, 4
