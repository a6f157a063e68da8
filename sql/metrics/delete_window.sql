-- The window being rewritten: every stored row of the organizations, the period, the dates :first..:last
-- and the kind (:kpi = KPI rows, else catalog rows) that metric_final does not hold exactly as it is
-- (mark_stored_rows) is deleted; an identical row
-- stays as it is (its id, createdAt and the run that wrote it). The deleted keys keep their id and
-- createdAt in metric_replaced for insert_rows.
WITH deleted AS (
    DELETE FROM metrics m
    WHERE m."organizationId" = ANY (CAST(:organization_ids AS uuid[]))
      AND m.period = :period
      AND m.date BETWEEN :first AND :last
      AND (m.type = 'kpi') = CAST(:kpi AS boolean)
      AND NOT EXISTS (
          SELECT 1 FROM metric_final f
          WHERE f.stored AND f."organizationId" = m."organizationId" AND f."workspaceId" = m."workspaceId"
            AND f.name = m.name AND f.date = m.date
      )
    RETURNING m.id, m."createdAt", m."organizationId", m."workspaceId", m.name, m.date
)
INSERT INTO metric_replaced (id, "createdAt", "organizationId", "workspaceId", name, date)
SELECT id, "createdAt", "organizationId", "workspaceId", name, date FROM deleted
