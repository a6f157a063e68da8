-- Apply mode: the physical count is the truth. One ADJUSTMENT movement of the difference
-- (count - ledger) for each ledger_vs_inventory finding of the run, and an audit row for each.
WITH posted AS (
    INSERT INTO stock_movements (
        "organizationId", "workspaceId", "warehouseId", "productId", type, quantity,
        "referenceType", "referenceId", reason, "createdAt"
    )
    SELECT d."organizationId", d."workspaceId", d."warehouseId", d."productId", 'ADJUSTMENT', d.difference,
           'adjustment', d."runId", :reason, :posted_at
    FROM stock_discrepancies AS d
    WHERE d."runId" = ANY(:run_ids) AND d."organizationId" = ANY(:organization_ids) AND d.kind = 'ledger_vs_inventory'
      -- a difference out of NUMERIC(15,3) was stored as NULL (reconcile.py's guard): nothing to post
      AND d.difference IS NOT NULL
    RETURNING id, "organizationId", "workspaceId", "warehouseId", "productId", quantity, "referenceId", reason
)
INSERT INTO audit_logs ("organizationId", action, entity, "entityId", "newValue", "userAgent", "createdAt")
SELECT p."organizationId", 'CREATE', 'stock_movements', p.id,
       jsonb_build_object('type', 'ADJUSTMENT', 'warehouseId', p."warehouseId", 'productId', p."productId",
                          'quantity', p.quantity, 'reason', p.reason, 'reconciliationRunId', p."referenceId"),
       'prometric stock reconciliation', :posted_at
FROM posted AS p
RETURNING "organizationId"
