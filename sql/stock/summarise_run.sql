-- Findings of the runs by organization and kind: how many, and their value impact (KZT).
SELECT d."organizationId", d.kind, count(*) AS findings, coalesce(sum(d."valueImpact"), 0) AS value_impact
FROM stock_discrepancies AS d
WHERE d."runId" = ANY(:run_ids) AND d."organizationId" = ANY(:organization_ids)
GROUP BY d."organizationId", d.kind
ORDER BY d."organizationId", d.kind
