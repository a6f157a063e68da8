-- Asset check: metric keys (organization, workspace, name, period, date) present more than once in the window.
SELECT count(*) FROM (
    SELECT 1 FROM metrics m
    WHERE m."organizationId" = ANY (CAST(:organization_ids AS uuid[])) AND m.date BETWEEN :first AND :last
    GROUP BY m."organizationId", m."workspaceId", m.name, m.period, m.date
    HAVING count(*) > 1
) d
