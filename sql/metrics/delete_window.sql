-- The window being rewritten: every stored row of the organizations, the period, the dates :first..:last
-- and the kind (:kpi = KPI rows, else catalog rows) that metric_final does not hold exactly as it is
-- (same type, value, comparison columns, target, numerator and denominator) is deleted; an identical row
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
          WHERE f."organizationId" = m."organizationId" AND f."workspaceId" = m."workspaceId"
            AND f.name = m.name AND f.date = m.date AND f.period = m.period AND f.type = m.type
            AND f.value = m.value
            AND f."previousValue" IS NOT DISTINCT FROM m."previousValue"
            AND f.change IS NOT DISTINCT FROM m.change
            AND f.target IS NOT DISTINCT FROM m.target
            AND f.numerator IS NOT DISTINCT FROM CAST(m.metadata ->> 'numerator' AS numeric)
            AND f.denominator IS NOT DISTINCT FROM CAST(m.metadata ->> 'denominator' AS numeric)
      )
    RETURNING m.id, m."createdAt", m."organizationId", m."workspaceId", m.name, m.date
)
INSERT INTO metric_replaced (id, "createdAt", "organizationId", "workspaceId", name, date)
SELECT id, "createdAt", "organizationId", "workspaceId", name, date FROM deleted
