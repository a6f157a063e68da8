-- Apply mode: products."currentStock"/"reservedStock" become the sums of the product's inventory
-- rows in the organization's own warehouses; an audit row (old and new values) per product changed.
WITH totals AS (
    SELECT i."organizationId", i."productId", sum(i.quantity) AS quantity,
           sum(coalesce(i."reservedQuantity", 0)) AS reserved
    FROM inventory AS i
    JOIN warehouses AS w ON w.id = i."warehouseId" AND w."organizationId" = i."organizationId"
    WHERE i."organizationId" = ANY(:organization_ids)
    GROUP BY 1, 2
),
target AS (
    SELECT p.id, p."organizationId", p."currentStock" AS old_current, p."reservedStock" AS old_reserved,
           coalesce(t.quantity, 0) AS new_current, coalesce(t.reserved, 0) AS new_reserved
    FROM products AS p
    LEFT JOIN totals AS t ON t."productId" = p.id AND t."organizationId" = p."organizationId"
    WHERE p."organizationId" = ANY(:organization_ids)
      AND (coalesce(p."currentStock", 0) <> coalesce(t.quantity, 0)
           OR coalesce(p."reservedStock", 0) <> coalesce(t.reserved, 0))
      -- totals that do not fit products' NUMERIC(15,3) are left alone (the finding records them)
      AND abs(coalesce(t.quantity, 0)) < 1e12 AND abs(coalesce(t.reserved, 0)) < 1e12
),
synced AS (
    UPDATE products AS p
    SET "currentStock" = target.new_current, "reservedStock" = target.new_reserved, "updatedAt" = :posted_at
    FROM target
    WHERE p.id = target.id AND p."organizationId" = target."organizationId"
    RETURNING p.id
)
INSERT INTO audit_logs ("organizationId", action, entity, "entityId", "oldValue", "newValue", "userAgent", "createdAt")
SELECT target."organizationId", 'UPDATE', 'products', target.id,
       jsonb_build_object('currentStock', target.old_current, 'reservedStock', target.old_reserved),
       jsonb_build_object('currentStock', target.new_current, 'reservedStock', target.new_reserved,
                          'reconciliationRunId', r.run_id),
       'prometric stock reconciliation', :posted_at
FROM target
JOIN synced ON synced.id = target.id
JOIN unnest(CAST(:organization_ids AS uuid[]), CAST(:run_ids AS uuid[])) AS r (organization_id, run_id)
  ON r.organization_id = target."organizationId"
RETURNING "organizationId"
