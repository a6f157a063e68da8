-- The latest reconciliation run of the organization and its findings by kind, with value impact.
WITH latest AS (
    SELECT r.id, r."runDate", r."finishedAt", r.applied
    FROM stock_reconciliation_runs r
    WHERE r."organizationId" = :organization_id AND r.status = 'completed'
    ORDER BY r."runDate" DESC, r."finishedAt" DESC
    LIMIT 1
)
SELECT l."runDate" AS run_date, l."finishedAt" AS finished_at, l.applied, d.kind,
       count(d.id) AS findings, coalesce(sum(d."valueImpact"), 0) AS value_impact
FROM latest l
LEFT JOIN stock_discrepancies d
    ON d."runId" = l.id AND d."organizationId" = :organization_id
   AND (CAST(:workspace_ids AS uuid[]) IS NULL OR d."workspaceId" = ANY(CAST(:workspace_ids AS uuid[])))
GROUP BY l."runDate", l."finishedAt", l.applied, d.kind
ORDER BY value_impact
