-- Sales and purchase metrics from one pass over `orders` for the local days :start..:end.
-- Type and status are compared upper-cased after trimming (' cancelled' is CANCELLED). Counted orders:
-- type SALES (or PURCHASE for purchases_amount), status not CANCELLED; TRANSFER orders are no sale and
-- no purchase. Left out of every metric and counted in metric_skips with the reason (first that
-- applies): NULL type, unknown type, NULL status, unknown status, NULL totalAmount, negative
-- totalAmount, a foreign currency without a rate on the order's local day.
WITH day_orders AS (
    SELECT o."organizationId", o."workspaceId", o."customerId", o.currency, o."totalAmount" AS total,
           upper(btrim(o.type)) AS type, upper(btrim(o.status)) AS status, o.type AS raw_type, o.status AS raw_status,
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
judged AS (
    SELECT d.*,
           CASE WHEN d.type IS NULL THEN 'type is NULL'
                WHEN d.type NOT IN ('SALES', 'PURCHASE', 'TRANSFER') THEN 'unknown type'
                WHEN d.status IS NULL THEN 'status is NULL'
                WHEN d.status NOT IN ('PENDING', 'CONFIRMED', 'PROCESSING', 'SHIPPED', 'DELIVERED', 'CANCELLED')
                    THEN 'unknown status'
                WHEN d.total IS NULL THEN 'totalAmount is NULL'
                WHEN d.total < 0 THEN 'negative totalAmount'
                WHEN d.amount IS NULL THEN 'no exchange rate'
           END AS problem,
           CASE WHEN d.type IS NULL OR d.type NOT IN ('SALES', 'PURCHASE', 'TRANSFER') THEN d.raw_type
                WHEN d.status IS NULL OR d.status NOT IN ('PENDING', 'CONFIRMED', 'PROCESSING', 'SHIPPED',
                                                          'DELIVERED', 'CANCELLED') THEN d.raw_status
                WHEN d.total IS NULL OR d.total < 0 THEN NULL
                ELSE d.currency
           END AS detail
    FROM day_orders d
),
skipped AS (
    INSERT INTO metric_skips ("organizationId", date, source, reason, detail, rows)
    SELECT "organizationId", day, 'orders', problem, detail, count(*) FROM judged WHERE problem IS NOT NULL
    GROUP BY "organizationId", day, problem, detail
),
per_day AS (
    SELECT "organizationId", "workspaceId", day,
           count(*) FILTER (WHERE type = 'SALES' AND status <> 'CANCELLED') AS orders_count,
           coalesce(sum(amount) FILTER (WHERE type = 'SALES' AND status <> 'CANCELLED'), 0) AS revenue,
           count(*) FILTER (WHERE type = 'SALES' AND status = 'CANCELLED') AS cancelled,
           count(DISTINCT "customerId") FILTER (WHERE type = 'SALES' AND status <> 'CANCELLED') AS customers,
           coalesce(sum(amount) FILTER (WHERE type = 'PURCHASE' AND status <> 'CANCELLED'), 0) AS purchases
    FROM judged
    WHERE problem IS NULL
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
