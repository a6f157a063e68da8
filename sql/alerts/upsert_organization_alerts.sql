-- Writes organization-wide alerts (no workspace: freshness, run failures) of the organizations in
-- :organization_ids, the same alert for each: one row per (organization, kind, subject, day); a key seen
-- before keeps its id, createdAt and acknowledgement and gets the new numbers and words.
INSERT INTO alerts AS a ("organizationId", "workspaceId", kind, subject, day, value, baseline, severity,
                         explanation, "explanationRu", details)
SELECT o.id, NULL, :kind, :subject, :day, CAST(:value AS numeric), CAST(:baseline AS numeric), :severity,
       :explanation, :explanation_ru, CAST(:details AS jsonb)
FROM organizations AS o
WHERE o.id = ANY (CAST(:organization_ids AS uuid[]))
  AND o."deletedAt" IS NULL
ON CONFLICT ("organizationId", kind, subject, day) WHERE "workspaceId" IS NULL
DO UPDATE SET value = excluded.value, baseline = excluded.baseline, severity = excluded.severity,
              explanation = excluded.explanation, "explanationRu" = excluded."explanationRu",
              details = excluded.details, "updatedAt" = CURRENT_TIMESTAMP
RETURNING a.id
