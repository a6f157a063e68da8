-- previousValue (the value of the same metric, workspace and grain one :step earlier) and change
-- (percent, 2 decimals; NULL when previousValue is NULL or 0) for the rows of the period dated
-- :first..:last; the caller includes the period after the window, whose previous value may have changed.
-- Rows whose previousValue is already right are left alone.
UPDATE metrics m
SET "previousValue" = c.previous,
    change = CASE WHEN c.previous IS NULL OR c.previous = 0 THEN NULL
                  ELSE round((m.value - c.previous) / abs(c.previous) * 100, 2) END
FROM (
    SELECT cur.id, cur."organizationId", prev.value AS previous
    FROM metrics cur
    LEFT JOIN metrics prev
        ON prev."organizationId" = cur."organizationId" AND prev.period = cur.period
       AND prev.date = CAST(cur.date - CAST(:step AS interval) AS date)
       AND prev."workspaceId" = cur."workspaceId" AND prev.name = cur.name
    WHERE cur."organizationId" = ANY (CAST(:organization_ids AS uuid[]))
      AND cur.period = :period AND cur.date BETWEEN :first AND :last
) c
WHERE m."organizationId" = c."organizationId" AND m.id = c.id
  AND m."previousValue" IS DISTINCT FROM c.previous  -- an unchanged row is not rewritten
