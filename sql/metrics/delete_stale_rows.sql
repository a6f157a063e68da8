-- Rows of the rewritten window that the new computation no longer produces (a ratio whose denominator
-- fell to 0, a KPI that now fails …): metrics of the organizations, the period, the dates :first..:last
-- and the kind (:kpi = KPI rows, else catalog rows) that are not in metric_rows.
DELETE FROM metrics m
WHERE m."organizationId" = ANY (CAST(:organization_ids AS uuid[]))
  AND m.period = :period
  AND m.date BETWEEN :first AND :last
  AND (m.type = 'kpi') = CAST(:kpi AS boolean)
  AND NOT EXISTS (
      SELECT 1 FROM metric_rows r
      WHERE r."organizationId" = m."organizationId" AND r."workspaceId" = m."workspaceId"
        AND r.name = m.name AND r.period = m.period AND r.date = m.date
  )
