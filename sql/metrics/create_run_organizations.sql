-- The organizations of this run: their time zone (organizations.settings->>'timezone'; a missing or
-- unknown zone name falls back to :default_zone, the business time zone) and their default workspace, which takes the rows of
-- employees without a workspace.
CREATE TEMP TABLE metric_run_organizations ON COMMIT DROP AS
SELECT o.id AS "organizationId",
       coalesce(z.name, :default_zone) AS tz,
       (SELECT w.id FROM workspaces w
        WHERE w."organizationId" = o.id AND w."isDefault" AND w."deletedAt" IS NULL
        ORDER BY w."createdAt", w.id LIMIT 1) AS default_workspace
FROM organizations o
LEFT JOIN pg_timezone_names z ON z.name = o.settings ->> 'timezone'
WHERE o.id = ANY (CAST(:organization_ids AS uuid[]))
