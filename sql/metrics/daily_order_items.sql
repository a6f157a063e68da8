-- gross_profit: Σ totalPrice − quantity × products.cost over the lines of counted sales orders
-- (the rule of daily_orders.sql) of the local days :start..:end; a foreign-currency order converts its lines
-- at its day's rate, or is left out (already counted by daily_orders). products.cost is in KZT.
-- The lines are summed per day and product first and the products joined after: the planner cannot
-- estimate the orders' upper(btrim(...)) filters (it guessed 3 rows of 433k at medium) and, with the
-- products joined first, compared every product with every order of its organization (5+ minutes).
WITH day_orders AS MATERIALIZED (
    SELECT o.id, o."organizationId", o."workspaceId",
           (o."orderDate" AT TIME ZONE 'UTC' AT TIME ZONE ro.tz)::date AS day,
           CASE WHEN coalesce(o.currency, 'KZT') = 'KZT' THEN 1 ELSE r."rateToKzt" END AS rate
    FROM orders o
    JOIN metric_run_organizations ro ON ro."organizationId" = o."organizationId"
    LEFT JOIN fx_rates r
        ON r.currency = o.currency AND r.date = (o."orderDate" AT TIME ZONE 'UTC' AT TIME ZONE ro.tz)::date
    WHERE o."deletedAt" IS NULL AND upper(btrim(o.type)) = 'SALES'
      -- counted sales orders, the rule of daily_orders.sql: known live status, amount present and not negative
      AND upper(btrim(o.status)) IN ('PENDING', 'CONFIRMED', 'PROCESSING', 'SHIPPED', 'DELIVERED')
      AND o."totalAmount" >= 0
      AND o."orderDate" >= CAST(:start AS timestamp) - interval '1 day'
      AND o."orderDate" < CAST(:end AS timestamp) + interval '2 days'
      AND (o."orderDate" AT TIME ZONE 'UTC' AT TIME ZONE ro.tz)::date BETWEEN :start AND :end
),
day_products AS (
    SELECT o."organizationId", o."workspaceId", o.day, i."productId",
           sum(i."totalPrice" * o.rate) AS revenue, sum(i.quantity) AS quantity
    FROM day_orders o
    JOIN order_items i ON i."orderId" = o.id
    WHERE o.rate IS NOT NULL
    GROUP BY 1, 2, 3, 4
)
INSERT INTO metric_values ("organizationId", "workspaceId", name, date, value)
SELECT d."organizationId", d."workspaceId", 'gross_profit', d.day, sum(d.revenue - d.quantity * coalesce(p.cost, 0))
FROM day_products d
JOIN products p ON p.id = d."productId" AND p."organizationId" = d."organizationId"
GROUP BY d."organizationId", d."workspaceId", d.day
