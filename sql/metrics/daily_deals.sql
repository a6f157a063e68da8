-- CRM metrics from one pass over `deals` for the local days :start..:end.
-- Flows by the local day of createdAt / wonAt / lostAt. The pipeline snapshots are written as changes:
-- a deal is open from its local creation day until the local day it is first won or lost (exclusive),
-- so it adds its value on the first open day of the window and takes it back on the day it closes;
-- the spine's running sum of these changes is the value as of the end of each day. Only deals open at
-- the window's start or touching it are read. A foreign-currency deal converts at the rate of its
-- creation day, or is left out and counted.
WITH window_deals AS (
    SELECT d."organizationId", d."workspaceId", d.currency,
           (d."createdAt" AT TIME ZONE 'UTC' AT TIME ZONE ro.tz)::date AS created_day,
           (d."wonAt" AT TIME ZONE 'UTC' AT TIME ZONE ro.tz)::date AS won_day,
           (d."lostAt" AT TIME ZONE 'UTC' AT TIME ZONE ro.tz)::date AS lost_day,
           (least(d."wonAt", d."lostAt") AT TIME ZONE 'UTC' AT TIME ZONE ro.tz)::date AS closed_day,
           coalesce(d.value, 0) * CASE WHEN coalesce(d.currency, 'KZT') = 'KZT' THEN 1 ELSE r."rateToKzt" END AS value,
           coalesce(d.probability, 0) AS probability
    FROM deals d
    JOIN metric_run_organizations ro ON ro."organizationId" = d."organizationId"
    LEFT JOIN fx_rates r
        ON r.currency = d.currency AND r.date = (d."createdAt" AT TIME ZONE 'UTC' AT TIME ZONE ro.tz)::date
    WHERE d."deletedAt" IS NULL
      AND d."createdAt" < CAST(:end AS timestamp) + interval '2 days'
      AND (d."createdAt" >= CAST(:start AS timestamp) - interval '1 day'
           OR d."wonAt" >= CAST(:start AS timestamp) - interval '1 day'
           OR d."lostAt" >= CAST(:start AS timestamp) - interval '1 day'
           OR (d."wonAt" IS NULL AND d."lostAt" IS NULL))
),
skipped AS (
    INSERT INTO metric_skips ("organizationId", date, source, reason, detail, rows)
    SELECT "organizationId", created_day, 'deals', 'no exchange rate', currency, count(*)
    FROM window_deals WHERE value IS NULL
    GROUP BY 1, 2, 3, 4, 5
),
counted AS (SELECT * FROM window_deals WHERE value IS NOT NULL),
open_span AS (  -- the part of each deal's open interval [created_day, closed_day) inside the window
    SELECT "organizationId", "workspaceId", value, probability,
           greatest(created_day, CAST(:start AS date)) AS opens,
           CASE WHEN closed_day <= CAST(:end AS date) THEN closed_day END AS closes
    FROM counted
    WHERE created_day <= CAST(:end AS date) AND (closed_day IS NULL OR closed_day > greatest(created_day, CAST(:start AS date)))
)
INSERT INTO metric_values ("organizationId", "workspaceId", name, date, value, numerator, denominator)
SELECT "organizationId", "workspaceId", 'deals_created', created_day, count(*), NULL, NULL
FROM counted WHERE created_day BETWEEN :start AND :end GROUP BY 1, 2, 4
UNION ALL
SELECT "organizationId", "workspaceId", m.name, won_day, m.value, m.numerator, m.denominator
FROM (SELECT "organizationId", "workspaceId", won_day, count(*) AS won, sum(value) AS won_value
      FROM counted WHERE won_day BETWEEN :start AND :end GROUP BY 1, 2, 3) w
CROSS JOIN LATERAL (VALUES
    ('deals_won', w.won::numeric, NULL::numeric, NULL::numeric),
    ('deals_won_value', w.won_value, NULL, NULL),
    ('win_rate', NULL, w.won::numeric, w.won::numeric)
) AS m (name, value, numerator, denominator)
UNION ALL
SELECT "organizationId", "workspaceId", m.name, lost_day, m.value, m.numerator, m.denominator
FROM (SELECT "organizationId", "workspaceId", lost_day, count(*) AS lost
      FROM counted WHERE lost_day BETWEEN :start AND :end GROUP BY 1, 2, 3) l
CROSS JOIN LATERAL (VALUES
    ('deals_lost', l.lost::numeric, NULL::numeric, NULL::numeric),
    ('win_rate', NULL, 0, l.lost::numeric)
) AS m (name, value, numerator, denominator)
UNION ALL
SELECT "organizationId", "workspaceId", m.name, m.day, m.value, NULL, NULL
FROM open_span
CROSS JOIN LATERAL (VALUES
    ('pipeline_value', opens, value),
    ('weighted_pipeline_value', opens, value * probability / 100),
    ('pipeline_value', closes, -value),
    ('weighted_pipeline_value', closes, -(value * probability / 100))
) AS m (name, day, value)
WHERE m.day IS NOT NULL
