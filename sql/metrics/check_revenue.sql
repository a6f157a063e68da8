-- Asset check: orders_revenue of :first..:last against a direct SUM over `orders` (counted KZT orders
-- and foreign ones with a rate), per organization; rows where the two differ by more than a tiyn.
WITH direct AS (
    SELECT o."organizationId",
           sum(o."totalAmount" * CASE WHEN coalesce(o.currency, 'KZT') = 'KZT' THEN 1 ELSE r."rateToKzt" END) AS revenue
    FROM orders o
    JOIN metric_run_organizations ro ON ro."organizationId" = o."organizationId"
    LEFT JOIN fx_rates r
        ON r.currency = o.currency AND r.date = (o."orderDate" AT TIME ZONE 'UTC' AT TIME ZONE ro.tz)::date
    WHERE o."deletedAt" IS NULL AND upper(btrim(o.type)) = 'SALES'
      -- counted sales orders, the rule of daily_orders.sql: known live status, amount present and not negative
      AND upper(btrim(o.status)) IN ('PENDING', 'CONFIRMED', 'PROCESSING', 'SHIPPED', 'DELIVERED')
      AND o."totalAmount" >= 0
      AND (o."orderDate" AT TIME ZONE 'UTC' AT TIME ZONE ro.tz)::date BETWEEN :first AND :last
    GROUP BY o."organizationId"
),
stored AS (
    SELECT m."organizationId", sum(m.value) AS revenue
    FROM metrics m
    JOIN metric_run_organizations ro ON ro."organizationId" = m."organizationId"
    WHERE m.name = 'orders_revenue' AND m.period = 'daily' AND m.date BETWEEN :first AND :last
    GROUP BY m."organizationId"
)
SELECT CAST(ro."organizationId" AS text) AS "organizationId",
       coalesce(d.revenue, 0) AS direct, coalesce(s.revenue, 0) AS stored
FROM metric_run_organizations ro
LEFT JOIN direct d ON d."organizationId" = ro."organizationId"
LEFT JOIN stored s ON s."organizationId" = ro."organizationId"
WHERE abs(coalesce(d.revenue, 0) - coalesce(s.revenue, 0)) > 0.01
