-- Sales and purchase metrics from one pass over `orders` for the local days :start..:end.
-- Counted orders: SALES, not CANCELLED; a foreign-currency order without a rate on its local day is
-- left out of every metric and counted in metric_skips.
WITH day_orders AS (
    SELECT o."organizationId", o."workspaceId", o.type, o.status, o."customerId", o.currency,
           (o."orderDate" AT TIME ZONE 'UTC' AT TIME ZONE ro.tz)::date AS day,
           o."totalAmount" * CASE WHEN coalesce(o.currency, 'KZT') = 'KZT' THEN 1 ELSE r."rateToKzt" END AS amount
    FROM orders o
    JOIN metric_run_organizations ro ON ro."organizationId" = o."organizationId"
    LEFT JOIN fx_rates r
        ON r.currency = o.currency AND r.date = (o."orderDate" AT TIME ZONE 'UTC' AT TIME ZONE ro.tz)::date
    WHERE o."deletedAt" IS NULL
      -- UTC bounds wide enough for any zone (sargable on idx_orders_order_date), then the exact local day
      AND o."orderDate" >= CAST(:start AS timestamp) - interval '1 day'
      AND o."orderDate" < CAST(:end AS timestamp) + interval '2 days'
      AND (o."orderDate" AT TIME ZONE 'UTC' AT TIME ZONE ro.tz)::date BETWEEN :start AND :end
),
skipped AS (
    INSERT INTO metric_skips ("organizationId", source, currency, rows)
    SELECT "organizationId", 'orders', currency, count(*) FROM day_orders WHERE amount IS NULL
    GROUP BY "organizationId", currency
),
per_day AS (
    SELECT "organizationId", "workspaceId", day,
           count(*) FILTER (WHERE type = 'SALES' AND status <> 'CANCELLED') AS orders_count,
           coalesce(sum(amount) FILTER (WHERE type = 'SALES' AND status <> 'CANCELLED'), 0) AS revenue,
           count(*) FILTER (WHERE type = 'SALES' AND status = 'CANCELLED') AS cancelled,
           count(DISTINCT "customerId") FILTER (WHERE type = 'SALES' AND status <> 'CANCELLED') AS customers,
           coalesce(sum(amount) FILTER (WHERE type = 'PURCHASE' AND status <> 'CANCELLED'), 0) AS purchases
    FROM day_orders
    WHERE amount IS NOT NULL
    GROUP BY "organizationId", "workspaceId", day
)
INSERT INTO metric_values ("organizationId", "workspaceId", name, date, value, numerator, denominator)
SELECT d."organizationId", d."workspaceId", m.name, d.day, m.value, m.numerator, m.denominator
FROM per_day d
CROSS JOIN LATERAL (VALUES
    ('orders_count', d.orders_count::numeric, NULL::numeric, NULL::numeric),
    ('orders_revenue', d.revenue, NULL, NULL),
    ('average_order_value', NULL, d.revenue, d.orders_count::numeric),
    ('orders_cancelled', d.cancelled::numeric, NULL, NULL),
    ('active_customers', d.customers::numeric, NULL, NULL),
    ('purchases_amount', d.purchases, NULL, NULL)
) AS m (name, value, numerator, denominator)
