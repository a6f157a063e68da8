-- One notification per warehouse manager per organization's run, summarising the findings in the
-- warehouses they manage. A re-run of the same organization and day replaces its earlier notifications.
WITH replaced AS (
    DELETE FROM notifications AS n
    WHERE n.category = 'stock_reconciliation'
      AND n.data ->> 'organizationId' = ANY(CAST(:organization_ids AS text[]))
      AND n.data ->> 'runDate' = CAST(:run_date AS text)
),
per_warehouse AS (
    SELECT d."organizationId" AS organization_id, d."runId" AS run_id, w."managerId" AS manager_id,
           w.id AS warehouse_id, w.name, d.kind, count(*) AS findings,
           coalesce(sum(d."valueImpact"), 0) AS value_impact
    FROM stock_discrepancies AS d
    JOIN warehouses AS w ON w.id = d."warehouseId" AND w."organizationId" = d."organizationId"
    WHERE d."runId" = ANY(:run_ids) AND d."organizationId" = ANY(:organization_ids) AND w."managerId" IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5, 6
)
INSERT INTO notifications ("userId", type, category, title, message, data, "createdAt")
SELECT pw.manager_id,
       CASE WHEN bool_or(pw.kind IN ('invalid_movement', 'cross_tenant_reference', 'negative_stock',
                                     'ledger_vs_inventory')) THEN 'warning' ELSE 'info' END,
       'stock_reconciliation',
       'Stock reconciliation ' || CAST(:run_date AS text) || ': ' || sum(pw.findings) || ' finding(s)',
       string_agg(pw.name || ': ' || pw.findings || ' ' || pw.kind, '; ' ORDER BY pw.name, pw.kind),
       jsonb_build_object(
           'organizationId', CAST(pw.organization_id AS text), 'runDate', CAST(:run_date AS text),
           'runId', CAST(pw.run_id AS text), 'applied', CAST(:applied AS boolean),
           'findings', jsonb_agg(jsonb_build_object('warehouseId', pw.warehouse_id, 'kind', pw.kind,
                                                    'count', pw.findings, 'valueImpact', pw.value_impact)
                                 ORDER BY pw.name, pw.kind)),
       :posted_at
FROM per_warehouse AS pw
GROUP BY pw.organization_id, pw.run_id, pw.manager_id
RETURNING data ->> 'organizationId'
