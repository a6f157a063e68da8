-- The organizations a run covers (all by default): their payroll settings and default workspace.
SELECT o.id AS organization_id,
       o.name,
       o.settings -> 'payroll' AS payroll_settings,
       (SELECT w.id
        FROM workspaces w
        WHERE w."organizationId" = o.id AND w."isDefault" AND w."deletedAt" IS NULL
        ORDER BY w."createdAt", w.id
        LIMIT 1) AS default_workspace_id
FROM organizations o
WHERE o."deletedAt" IS NULL
  AND (CAST(:organization_ids AS uuid[]) IS NULL OR o.id = ANY (CAST(:organization_ids AS uuid[])))
ORDER BY o.id
