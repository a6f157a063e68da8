-- The window's final rows that are stored already exactly as they are (same type, value, comparison
-- columns, target, numerator and denominator): marked, so delete_window keeps them and insert_rows skips
-- them. One join of the window's stored rows with metric_final (never a lookup into `metrics` per
-- inserted row: after a TRUNCATE its statistics say empty, and the insert would scan it once per row).
UPDATE metric_final f
SET stored = true
FROM metrics m
WHERE m."organizationId" = ANY (CAST(:organization_ids AS uuid[]))
  AND m.period = :period
  AND m.date BETWEEN :first AND :last
  AND m."organizationId" = f."organizationId" AND m."workspaceId" = f."workspaceId"
  AND m.name = f.name AND m.date = f.date AND m.period = f.period AND m.type = f.type
  AND m.value = f.value
  AND m."previousValue" IS NOT DISTINCT FROM f."previousValue"
  AND m.change IS NOT DISTINCT FROM f.change
  AND m.target IS NOT DISTINCT FROM f.target
  AND CAST(m.metadata ->> 'numerator' AS numeric) IS NOT DISTINCT FROM f.numerator
  AND CAST(m.metadata ->> 'denominator' AS numeric) IS NOT DISTINCT FROM f.denominator
