-- The window being rewritten: every row of the organizations, the period, the dates :first..:last and
-- the kind (:kpi = KPI rows, else catalog rows) is deleted (insert_rows writes the new ones in the same
-- transaction); the deleted keys keep their id and createdAt in metric_replaced.
WITH deleted AS (
    DELETE FROM metrics m
    WHERE m."organizationId" = ANY (CAST(:organization_ids AS uuid[]))
      AND m.period = :period
      AND m.date BETWEEN :first AND :last
      AND (m.type = 'kpi') = CAST(:kpi AS boolean)
    RETURNING m.id, m."createdAt", m."organizationId", m."workspaceId", m.name, m.date
)
INSERT INTO metric_replaced (id, "createdAt", "organizationId", "workspaceId", name, date)
SELECT id, "createdAt", "organizationId", "workspaceId", name, date FROM deleted
