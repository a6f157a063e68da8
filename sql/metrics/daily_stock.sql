-- Inventory metrics from one pass over the stock ledger (specs/stock.md) up to the end of :end.
-- Valid movements only: IN/OUT/TRANSFER with quantity > 0, TRANSFER with both warehouses, and every
-- warehouse and the product belonging to the movement's organization.
-- * stock_received_value / stock_issued_value: IN / OUT quantity × products.cost by local day (flows).
-- * inventory_value: Σ on-hand × cost as of the end of each day, as changes by the movement's workspace
--   (a transfer moves stock between warehouses and changes nothing); changes before :start are dated
--   :start, so the first window day carries the opening value.
-- * out_of_stock_products / low_stock_products (ACTIVE, non-SERVICE products, by the product's
--   workspace, on-hand over all the organization's warehouses): per product the 0/1 state after each
--   day with movements, written as the change from its previous state.
WITH ledger AS (
    SELECT m."organizationId", m."workspaceId", m."productId", m.type, m.quantity,
           -- movements a day or more before :start in UTC are before it in every zone: no conversion needed
           CASE WHEN m."createdAt" < CAST(:start AS timestamp) - interval '1 day' THEN CAST(:start AS date) - 1
                ELSE (m."createdAt" AT TIME ZONE 'UTC' AT TIME ZONE ro.tz)::date END AS local_day,
           CASE m.type WHEN 'IN' THEN m.quantity WHEN 'OUT' THEN -m.quantity
                       WHEN 'ADJUSTMENT' THEN m.quantity ELSE 0 END AS net_quantity
    FROM stock_movements m
    JOIN metric_run_organizations ro ON ro."organizationId" = m."organizationId"
    JOIN warehouses w ON w.id = m."warehouseId" AND w."organizationId" = m."organizationId"
    LEFT JOIN warehouses wf ON wf.id = m."fromWarehouseId" AND wf."organizationId" = m."organizationId"
    LEFT JOIN warehouses wt ON wt.id = m."toWarehouseId" AND wt."organizationId" = m."organizationId"
    WHERE m."createdAt" < CAST(:end AS timestamp) + interval '2 days'
      AND (m."createdAt" < CAST(:end AS timestamp) - interval '1 day'
           OR (m."createdAt" AT TIME ZONE 'UTC' AT TIME ZONE ro.tz)::date <= :end)
      AND (m.type = 'ADJUSTMENT' OR (m.type IN ('IN', 'OUT', 'TRANSFER') AND m.quantity > 0))
      AND (m.type <> 'TRANSFER' OR (wf.id IS NOT NULL AND wt.id IS NOT NULL))
      AND (m."fromWarehouseId" IS NULL OR wf.id IS NOT NULL)
      AND (m."toWarehouseId" IS NULL OR wt.id IS NOT NULL)
),
-- the ledger before the window collapsed to one opening row per workspace and product (dated :start),
-- the window's movements per day: everything after this is small
daily_moves AS (
    SELECT l."organizationId", l."workspaceId", l."productId",
           greatest(l.local_day, CAST(:start AS date)) AS day,
           sum(l.net_quantity) AS net_quantity,
           sum(l.quantity) FILTER (WHERE l.type = 'IN' AND l.local_day >= :start) AS received,
           sum(l.quantity) FILTER (WHERE l.type = 'OUT' AND l.local_day >= :start) AS issued
    FROM ledger l
    GROUP BY 1, 2, 3, 4
),
valued AS (
    SELECT d.*, coalesce(p.cost, 0) AS cost
    FROM daily_moves d
    JOIN products p ON p.id = d."productId" AND p."organizationId" = d."organizationId"
),
product_days AS (  -- every counted product on :start (opening state), plus each later day it moves
    SELECT p.id, p."organizationId", p."workspaceId", p."minStock", CAST(:start AS date) AS day, 0 AS net
    FROM products p
    JOIN metric_run_organizations ro ON ro."organizationId" = p."organizationId"
    -- status and type case-insensitive after trimming; NULL is the column's default (ACTIVE, PRODUCT)
    WHERE p."deletedAt" IS NULL AND upper(btrim(coalesce(p.status, 'ACTIVE'))) = 'ACTIVE'
      AND upper(btrim(coalesce(p.type, 'PRODUCT'))) <> 'SERVICE'
    UNION ALL
    SELECT p.id, p."organizationId", p."workspaceId", p."minStock", v.day, v.net_quantity
    FROM valued v
    JOIN products p ON p.id = v."productId" AND p."organizationId" = v."organizationId"
    -- status and type case-insensitive after trimming; NULL is the column's default (ACTIVE, PRODUCT)
    WHERE p."deletedAt" IS NULL AND upper(btrim(coalesce(p.status, 'ACTIVE'))) = 'ACTIVE'
      AND upper(btrim(coalesce(p.type, 'PRODUCT'))) <> 'SERVICE'
),
product_states AS (
    SELECT id, "organizationId", "workspaceId", day,
           CASE WHEN on_hand <= 0 THEN 1 ELSE 0 END AS out_of_stock,
           CASE WHEN on_hand > 0 AND on_hand < coalesce("minStock", 0) THEN 1 ELSE 0 END AS low_stock
    FROM (
        SELECT id, "organizationId", "workspaceId", "minStock", day,
               sum(sum(net)) OVER (PARTITION BY id ORDER BY day) AS on_hand
        FROM product_days GROUP BY id, "organizationId", "workspaceId", "minStock", day
    ) s
),
product_changes AS (
    SELECT "organizationId", "workspaceId", day,
           out_of_stock - coalesce(lag(out_of_stock) OVER w, 0) AS out_change,
           low_stock - coalesce(lag(low_stock) OVER w, 0) AS low_change
    FROM product_states
    WINDOW w AS (PARTITION BY id ORDER BY day)
)
INSERT INTO metric_values ("organizationId", "workspaceId", name, date, value)
SELECT l."organizationId", l."workspaceId", m.name, l.day, m.value
FROM (
    SELECT "organizationId", "workspaceId", day,
           sum(received * cost) AS received, sum(issued * cost) AS issued, sum(net_quantity * cost) AS value_change
    FROM valued GROUP BY 1, 2, 3
) l
CROSS JOIN LATERAL (VALUES
    ('stock_received_value', coalesce(l.received, 0)),
    ('stock_issued_value', coalesce(l.issued, 0)),
    ('inventory_value', l.value_change)
) AS m (name, value)
UNION ALL
SELECT "organizationId", "workspaceId", 'out_of_stock_products', day, sum(out_change)
FROM product_changes GROUP BY 1, 2, 4
UNION ALL
SELECT "organizationId", "workspaceId", 'low_stock_products', day, sum(low_change)
FROM product_changes GROUP BY 1, 2, 4
