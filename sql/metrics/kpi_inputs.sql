-- The catalog metric values of one period (:period, dates :first..:last) per workspace and date, as a
-- JSON object name -> value: the inputs of the KPI formulas.
SELECT m."organizationId", m."workspaceId", m.date, jsonb_object_agg(m.name, m.value) AS inputs
FROM metrics m
WHERE m."organizationId" = ANY (CAST(:organization_ids AS uuid[]))
  AND m.period = :period AND m.date BETWEEN :first AND :last AND m.type <> 'kpi'
GROUP BY m."organizationId", m."workspaceId", m.date
