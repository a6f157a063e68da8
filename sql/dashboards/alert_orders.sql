-- The orders behind an alert: the organization's orders of the local day :day (its time zone, else
-- :default_zone, as the daily metrics count days) in the workspace :workspace_id (NULL: every workspace the
-- viewer may see).
SELECT o."orderNumber" AS order_number, o.type, o.status, c.name AS customer, w.name AS workspace,
       o."orderDate" AS ordered_at, o."totalAmount" AS total, o.currency
FROM orders o
JOIN organizations org ON org.id = o."organizationId"
LEFT JOIN pg_timezone_names z ON z.name = org.settings ->> 'timezone'
LEFT JOIN customers c ON c.id = o."customerId" AND c."organizationId" = o."organizationId"
LEFT JOIN workspaces w ON w.id = o."workspaceId" AND w."organizationId" = o."organizationId"
WHERE o."organizationId" = :organization_id AND org.id = :organization_id AND o."deletedAt" IS NULL
  -- UTC bounds wide enough for any zone (sargable), then the exact local day
  AND o."orderDate" >= CAST(:day AS timestamp) - interval '1 day'
  AND o."orderDate" < CAST(:day AS timestamp) + interval '2 days'
  AND (o."orderDate" AT TIME ZONE 'UTC' AT TIME ZONE coalesce(z.name, :default_zone))::date = :day
  AND (CAST(:workspace_id AS uuid) IS NULL OR o."workspaceId" = CAST(:workspace_id AS uuid))
  AND (CAST(:workspace_ids AS uuid[]) IS NULL OR o."workspaceId" = ANY(CAST(:workspace_ids AS uuid[])))
ORDER BY o."orderDate", o."orderNumber"
LIMIT :limit
