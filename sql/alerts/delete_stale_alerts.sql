-- Alerts of one organization and kind for the days :first..:last (a KPI alert: the day its period
-- closed, details.period_end) that the new detection (:alerts, the JSON array just written) no longer
-- finds, e.g. after late data: removed, with their delivery records.
DELETE FROM alerts AS a
WHERE a."organizationId" = CAST(:organization_id AS uuid)
  AND a.kind = :kind
  AND coalesce(CAST(a.details ->> 'period_end' AS date), a.day) BETWEEN :first AND :last
  AND NOT EXISTS (
      SELECT 1
      FROM jsonb_to_recordset(CAST(:alerts AS jsonb)) AS r(workspace_id uuid, subject text, day date)
      WHERE r.workspace_id IS NOT DISTINCT FROM a."workspaceId" AND r.subject = a.subject AND r.day = a.day
  )
