-- The single set-based pass of a reconciliation for one organization: every kind of finding
-- (semantics: ../shared/specs/stock.md, docs/stock.md), as rows of stock_discrepancies.
-- The ledger has already been read and aggregated to (warehouse, product, type, from, to) groups
-- into the transaction's temporary table stock_ledger_parts (ledger_parts_full.sql: every movement;
-- ledger_parts_sealed.sql: the sealed balances and the movements after them); this statement works on
-- thousands of groups, not millions of movements, and the few findings are inserted by the caller.
-- Whether a movement's type and transfer ends are valid depends only on its group, so it is decided
-- on the groups; only the sign of the quantity was tested per movement (non-positive IN/OUT/TRANSFER
-- quantities are left out of the sum and their ids collected, rare). Ownership (warehouse/product of
-- the movement's organization) is likewise checked on the groups. The rare groups that are
-- malformed or point at another organization are expanded back to their movements through the indexes.
WITH movement_groups AS (
    -- the pass's ledger groups (ledger_parts_full.sql or ledger_parts_sealed.sql), their sealed and
    -- open parts summed
    SELECT p.organization_id, p.warehouse_id, p.product_id, p.type, p.from_id, p.to_id,
           sum(p.quantity) AS quantity, prometric_uuid_array_cat(p.non_positive_ids) AS non_positive_ids
    FROM stock_ledger_parts AS p
    GROUP BY 1, 2, 3, 4, 5, 6
),
checked_groups AS (
    SELECT g.*,
           w."workspaceId" AS workspace_id,
           -- every movement of such a group is invalid (the quantity's sign aside)
           g.type NOT IN ('IN', 'OUT', 'TRANSFER', 'ADJUSTMENT')
             OR (g.type = 'TRANSFER' AND (g.from_id IS NULL OR g.to_id IS NULL OR g.from_id = g.to_id
                                          OR g.from_id <> g.warehouse_id)) AS malformed,
           w.id IS NULL
             OR p.id IS NULL
             OR (g.type = 'TRANSFER' AND ((g.from_id IS NOT NULL AND fw.id IS NULL)
                                          OR (g.to_id IS NOT NULL AND tw.id IS NULL))) AS foreign_reference
    FROM movement_groups AS g
    LEFT JOIN warehouses AS w ON w.id = g.warehouse_id AND w."organizationId" = g.organization_id
    LEFT JOIN warehouses AS fw ON fw.id = g.from_id AND fw."organizationId" = g.organization_id
    LEFT JOIN warehouses AS tw ON tw.id = g.to_id AND tw."organizationId" = g.organization_id
    LEFT JOIN products AS p ON p.id = g.product_id AND p."organizationId" = g.organization_id
),
-- ledger on-hand per (warehouse, product): valid movements only; a TRANSFER counts at both ends
ledger AS (
    SELECT g.organization_id, d.warehouse_id, g.product_id, sum(d.delta) AS on_hand
    FROM checked_groups AS g
    CROSS JOIN LATERAL (VALUES
        (g.warehouse_id, CASE WHEN g.type = 'OUT' OR g.type = 'TRANSFER' THEN -g.quantity ELSE g.quantity END),
        (g.to_id, CASE WHEN g.type = 'TRANSFER' THEN g.quantity END)
    ) AS d (warehouse_id, delta)
    WHERE g.quantity IS NOT NULL AND NOT g.malformed AND NOT g.foreign_reference AND d.delta IS NOT NULL
    GROUP BY 1, 2, 3
),
inventory_rows AS (
    SELECT i.id, i."organizationId" AS organization_id, i."workspaceId" AS workspace_id,
           i."warehouseId" AS warehouse_id, i."productId" AS product_id, i.quantity,
           coalesce(i."reservedQuantity", 0) AS reserved, i."availableQuantity" AS available,
           i."batchNumber" AS batch_number, i."expiryDate" AS expiry_date, p.cost,
           w.id IS NULL OR p.id IS NULL AS foreign_reference
    FROM inventory AS i
    LEFT JOIN warehouses AS w ON w.id = i."warehouseId" AND w."organizationId" = i."organizationId"
    LEFT JOIN products AS p ON p.id = i."productId" AND p."organizationId" = i."organizationId"
    WHERE i."organizationId" = :organization_id
),
-- the physical count per (warehouse, product): all batches (NULL batchNumber or not) summed
counted AS (
    SELECT organization_id, warehouse_id, product_id, sum(quantity) AS quantity, sum(reserved) AS reserved,
           count(*) AS batches
    FROM inventory_rows
    WHERE NOT foreign_reference
    GROUP BY 1, 2, 3
),
product_totals AS (
    SELECT organization_id, product_id, sum(quantity) AS quantity, sum(reserved) AS reserved
    FROM counted
    GROUP BY 1, 2
),
findings AS (
    -- the book says one thing, the count another: expected = ledger, actual = count
    SELECT coalesce(l.organization_id, c.organization_id) AS organization_id, w."workspaceId" AS workspace_id,
           'ledger_vs_inventory' AS kind, coalesce(l.warehouse_id, c.warehouse_id) AS warehouse_id,
           coalesce(l.product_id, c.product_id) AS product_id, NULL::uuid AS reference_id,
           coalesce(l.on_hand, 0) AS expected, coalesce(c.quantity, 0) AS actual, p.cost,
           jsonb_build_object('inventoryRows', coalesce(c.batches, 0)) AS details
    FROM ledger AS l
    FULL JOIN counted AS c
           ON c.warehouse_id = l.warehouse_id AND c.product_id = l.product_id AND c.organization_id = l.organization_id
    JOIN warehouses AS w
      ON w.id = coalesce(l.warehouse_id, c.warehouse_id) AND w."organizationId" = coalesce(l.organization_id, c.organization_id)
    JOIN products AS p
      ON p.id = coalesce(l.product_id, c.product_id) AND p."organizationId" = coalesce(l.organization_id, c.organization_id)
    WHERE abs(coalesce(l.on_hand, 0) - coalesce(c.quantity, 0)) > 0.001

    UNION ALL
    -- the product's cached totals against its inventory rows: expected = inventory, actual = product
    SELECT p."organizationId", p."workspaceId", 'inventory_vs_product', NULL, p.id, NULL,
           f.expected, f.actual, p.cost, jsonb_build_object('field', f.field)
    FROM products AS p
    LEFT JOIN product_totals AS t ON t.product_id = p.id AND t.organization_id = p."organizationId"
    CROSS JOIN LATERAL (VALUES
        ('currentStock', coalesce(t.quantity, 0), coalesce(p."currentStock", 0)),
        ('reservedStock', coalesce(t.reserved, 0), coalesce(p."reservedStock", 0))
    ) AS f (field, expected, actual)
    WHERE p."organizationId" = :organization_id AND f.expected <> f.actual

    UNION ALL
    SELECT r.organization_id, r.workspace_id, 'negative_stock', r.warehouse_id, r.product_id, r.id,
           0, CASE WHEN r.quantity < 0 THEN r.quantity ELSE r.available END, r.cost,
           jsonb_build_object('field', CASE WHEN r.quantity < 0 THEN 'quantity' ELSE 'availableQuantity' END,
                              'batchNumber', r.batch_number)
    FROM inventory_rows AS r
    WHERE r.quantity < 0 OR r.available < 0

    UNION ALL
    -- stock past its expiry date: expected 0 on hand, actual what is still there
    SELECT r.organization_id, r.workspace_id, 'expired_stock', r.warehouse_id, r.product_id, r.id,
           0, r.quantity, r.cost,
           jsonb_build_object('expiryDate', r.expiry_date, 'batchNumber', r.batch_number)
    FROM inventory_rows AS r
    WHERE r.expiry_date < :run_date AND r.quantity > 0

    UNION ALL
    -- a malformed movement the ledger leaves out: expected 0 counted, actual its recorded quantity
    SELECT m."organizationId", m."workspaceId", 'invalid_movement', m."warehouseId", m."productId", m.id,
           0, m.quantity, p.cost,
           jsonb_build_object(
               'type', m.type, 'createdAt', m."createdAt",
               'problem', CASE
                   WHEN m.type NOT IN ('IN', 'OUT', 'TRANSFER', 'ADJUSTMENT') THEN 'unknown type'
                   WHEN m.type <> 'ADJUSTMENT' AND m.quantity <= 0 THEN 'quantity not positive'
                   WHEN m."fromWarehouseId" IS NULL OR m."toWarehouseId" IS NULL THEN 'transfer without both warehouses'
                   WHEN m."fromWarehouseId" = m."toWarehouseId" THEN 'transfer into its own warehouse'
                   ELSE 'transfer source differs from warehouseId' END)
    FROM checked_groups AS g
    CROSS JOIN LATERAL (
        -- a well-formed group's non-positive movements: by primary key
        SELECT * FROM stock_movements AS s
        WHERE NOT g.malformed AND s.id = ANY (g.non_positive_ids) AND s."organizationId" = g.organization_id
        UNION ALL
        -- all of a malformed group's movements: through the product index
        SELECT * FROM stock_movements AS s
        WHERE g.malformed
          AND s."organizationId" = g.organization_id AND s."warehouseId" = g.warehouse_id
          AND s."productId" = g.product_id AND s.type = g.type
          AND s."fromWarehouseId" IS NOT DISTINCT FROM g.from_id AND s."toWarehouseId" IS NOT DISTINCT FROM g.to_id
          AND s."createdAt" <= :as_of
        OFFSET 0  -- keeps these per-group lookups (not flattened into a join over the ledger)
    ) AS m
    LEFT JOIN products AS p ON p.id = m."productId" AND p."organizationId" = m."organizationId"
    WHERE (g.malformed OR g.non_positive_ids IS NOT NULL) AND NOT g.foreign_reference

    UNION ALL
    -- movements into/out of another organization's warehouse, or of its product (all of a group's
    -- movements, the invalid ones included: the foreign reference is the graver problem)
    SELECT m."organizationId", m."workspaceId", 'cross_tenant_reference', m."warehouseId", m."productId", m.id,
           0, m.quantity, p.cost,
           jsonb_build_object('entity', 'stock_movements', 'type', m.type, 'createdAt', m."createdAt",
                              'fromWarehouseId', m."fromWarehouseId", 'toWarehouseId', m."toWarehouseId")
    FROM (SELECT DISTINCT organization_id, warehouse_id, product_id, type, from_id, to_id
          FROM checked_groups WHERE foreign_reference) AS g
    CROSS JOIN LATERAL (
        SELECT * FROM stock_movements AS s
        WHERE s."organizationId" = g.organization_id AND s."warehouseId" = g.warehouse_id
          AND s."productId" = g.product_id AND s.type = g.type
          AND s."fromWarehouseId" IS NOT DISTINCT FROM g.from_id AND s."toWarehouseId" IS NOT DISTINCT FROM g.to_id
          AND s."createdAt" <= :as_of
        OFFSET 0  -- a lookup per foreign group through the product index, not a join over the ledger
    ) AS m
    LEFT JOIN products AS p ON p.id = m."productId" AND p."organizationId" = m."organizationId"

    UNION ALL
    SELECT r.organization_id, r.workspace_id, 'cross_tenant_reference', r.warehouse_id, r.product_id, r.id,
           0, r.quantity, r.cost, jsonb_build_object('entity', 'inventory', 'batchNumber', r.batch_number)
    FROM inventory_rows AS r
    WHERE r.foreign_reference

    UNION ALL
    SELECT p."organizationId", p."workspaceId", 'cross_tenant_reference', NULL, p.id, p.id,
           NULL, NULL, NULL,
           jsonb_build_object('entity', 'products', 'workspaceId', p."workspaceId", 'categoryId', p."categoryId")
    FROM products AS p
    LEFT JOIN workspaces AS ws ON ws.id = p."workspaceId" AND ws."organizationId" = p."organizationId"
    LEFT JOIN product_categories AS pc ON pc.id = p."categoryId" AND pc."organizationId" = p."organizationId"
    WHERE p."organizationId" = :organization_id AND (ws.id IS NULL OR (p."categoryId" IS NOT NULL AND pc.id IS NULL))

    UNION ALL
    -- an alert, not an error: an active product's stock under its minimum
    SELECT p."organizationId", p."workspaceId", 'below_min_stock', NULL, p.id, NULL,
           p."minStock", coalesce(p."currentStock", 0), p.cost, jsonb_build_object('minStock', p."minStock")
    FROM products AS p
    WHERE p."organizationId" = :organization_id AND coalesce(p."currentStock", 0) < p."minStock"
      AND upper(btrim(coalesce(p.status, 'ACTIVE'))) = 'ACTIVE' AND p."deletedAt" IS NULL
)
SELECT f.organization_id AS "organizationId", f.workspace_id AS "workspaceId", f.kind,
       f.warehouse_id AS "warehouseId", f.product_id AS "productId", f.reference_id AS "referenceId",
       f.expected, f.actual, f.actual - f.expected AS difference,
       round((f.actual - f.expected) * f.cost, 2) AS "valueImpact", f.details
FROM findings AS f
