-- production_orders_completed and production_completed_quantity: COMPLETED production orders (status
-- upper-cased after trimming) by the local day of actualEndDate, :start..:end. A completed order with a
-- negative completedQuantity is left out and counted in metric_skips.
WITH skipped AS (
    INSERT INTO metric_skips ("organizationId", date, source, reason, value, rows)
    SELECT p."organizationId", (p."actualEndDate" AT TIME ZONE 'UTC' AT TIME ZONE ro.tz)::date,
           'production_orders', 'negative completedQuantity', min(CAST(p."completedQuantity" AS text)), count(*)
    FROM production_orders p
    JOIN metric_run_organizations ro ON ro."organizationId" = p."organizationId"
    WHERE upper(btrim(p.status)) = 'COMPLETED' AND p."completedQuantity" < 0
      AND p."actualEndDate" >= CAST(:start AS timestamp) - interval '1 day'
      AND p."actualEndDate" < CAST(:end AS timestamp) + interval '2 days'
      AND (p."actualEndDate" AT TIME ZONE 'UTC' AT TIME ZONE ro.tz)::date BETWEEN :start AND :end
    GROUP BY 1, 2
)
INSERT INTO metric_values ("organizationId", "workspaceId", name, date, value)
SELECT po."organizationId", po."workspaceId", m.name, po.day, m.value
FROM (
    SELECT p."organizationId", p."workspaceId",
           (p."actualEndDate" AT TIME ZONE 'UTC' AT TIME ZONE ro.tz)::date AS day,
           count(*) AS completed, coalesce(sum(p."completedQuantity"), 0) AS quantity
    FROM production_orders p
    JOIN metric_run_organizations ro ON ro."organizationId" = p."organizationId"
    WHERE upper(btrim(p.status)) = 'COMPLETED' AND coalesce(p."completedQuantity", 0) >= 0
      AND p."actualEndDate" >= CAST(:start AS timestamp) - interval '1 day'
      AND p."actualEndDate" < CAST(:end AS timestamp) + interval '2 days'
      AND (p."actualEndDate" AT TIME ZONE 'UTC' AT TIME ZONE ro.tz)::date BETWEEN :start AND :end
    GROUP BY 1, 2, 3
) po
CROSS JOIN LATERAL (VALUES
    ('production_orders_completed', po.completed::numeric),
    ('production_completed_quantity', po.quantity)
) AS m (name, value)
