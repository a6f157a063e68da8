-- active_customers per period (:grain, written as :period; periods starting :first..:last): distinct
-- customers of counted sales orders over the whole period, recomputed from `orders` (never a sum of
-- daily values); zero for the workspaces that have rows of the period. Orders whose currency has no
-- rate on their day are left out, as in the daily metric.
WITH period_orders AS (
    SELECT o."organizationId", o."workspaceId", o."customerId",
           CAST(date_trunc(:grain, (o."orderDate" AT TIME ZONE 'UTC' AT TIME ZONE ro.tz)::date) AS date) AS period_start
    FROM orders o
    JOIN metric_run_organizations ro ON ro."organizationId" = o."organizationId"
    LEFT JOIN fx_rates r
        ON r.currency = o.currency AND r.date = (o."orderDate" AT TIME ZONE 'UTC' AT TIME ZONE ro.tz)::date
    WHERE o."deletedAt" IS NULL AND upper(btrim(o.type)) = 'SALES'
      -- counted sales orders, the rule of daily_orders.sql: known live status, amount present and not negative
      AND upper(btrim(o.status)) IN ('PENDING', 'CONFIRMED', 'PROCESSING', 'SHIPPED', 'DELIVERED')
      AND o."totalAmount" >= 0
      AND (coalesce(o.currency, 'KZT') = 'KZT' OR r."rateToKzt" IS NOT NULL)
      AND o."orderDate" >= CAST(:first AS timestamp) - interval '1 day'
      AND o."orderDate" < CAST(:last AS timestamp) + CAST(:step AS interval) + interval '1 day'
      AND (o."orderDate" AT TIME ZONE 'UTC' AT TIME ZONE ro.tz)::date >= :first
      AND (o."orderDate" AT TIME ZONE 'UTC' AT TIME ZONE ro.tz)::date
          < CAST(CAST(:last AS date) + CAST(:step AS interval) AS date)
),
counts AS (
    SELECT "organizationId", "workspaceId", period_start, count(DISTINCT "customerId") AS customers
    FROM period_orders GROUP BY 1, 2, 3
),
spine AS (SELECT DISTINCT "organizationId", "workspaceId", date AS period_start FROM metric_rows WHERE period = :period)
INSERT INTO metric_rows ("organizationId", "workspaceId", name, type, period, date, value)
SELECT coalesce(s."organizationId", c."organizationId"), coalesce(s."workspaceId", c."workspaceId"),
       'active_customers', 'sales', :period, coalesce(s.period_start, c.period_start), coalesce(c.customers, 0)
FROM spine s
FULL JOIN counts c
    ON c."organizationId" = s."organizationId" AND c."workspaceId" = s."workspaceId"
   AND c.period_start = s.period_start
