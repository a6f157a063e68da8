-- Writes the alerts of one organization (:alerts, a JSON array of rows with a workspace) in one statement:
-- a key (organization, workspace, kind, subject, day) seen before keeps its id, createdAt and acknowledgement
-- and gets the new numbers and words. Returns the ids written.
INSERT INTO alerts AS a ("organizationId", "workspaceId", kind, subject, day, value, baseline, severity,
                         explanation, "explanationRu", details)
SELECT CAST(:organization_id AS uuid), r.workspace_id, r.kind, r.subject, r.day, r.value, r.baseline, r.severity,
       r.explanation, r.explanation_ru, coalesce(r.details, '{}'::jsonb)
FROM jsonb_to_recordset(CAST(:alerts AS jsonb)) AS r(
    workspace_id uuid, kind text, subject text, day date, value numeric, baseline numeric, severity text,
    explanation text, explanation_ru text, details jsonb
)
WHERE r.workspace_id IS NOT NULL
ON CONFLICT ("organizationId", "workspaceId", kind, subject, day) WHERE "workspaceId" IS NOT NULL
DO UPDATE SET value = excluded.value, baseline = excluded.baseline, severity = excluded.severity,
              explanation = excluded.explanation, "explanationRu" = excluded."explanationRu",
              details = excluded.details, "updatedAt" = CURRENT_TIMESTAMP
RETURNING a.id
