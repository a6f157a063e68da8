-- Findings of a run by kind: how many, and their value impact (KZT).
SELECT d.kind, count(*) AS findings, coalesce(sum(d."valueImpact"), 0) AS value_impact
FROM stock_discrepancies AS d
WHERE d."runId" = :run_id AND d."organizationId" = :organization_id
GROUP BY d.kind
ORDER BY d.kind
