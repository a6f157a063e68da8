-- new_customers: customers created on the local days :start..:end.
INSERT INTO metric_values ("organizationId", "workspaceId", name, date, value)
SELECT c."organizationId", c."workspaceId", 'new_customers',
       (c."createdAt" AT TIME ZONE 'UTC' AT TIME ZONE ro.tz)::date, count(*)
FROM customers c
JOIN metric_run_organizations ro ON ro."organizationId" = c."organizationId"
WHERE c."deletedAt" IS NULL
  AND c."createdAt" >= CAST(:start AS timestamp) - interval '1 day'
  AND c."createdAt" < CAST(:end AS timestamp) + interval '2 days'
  AND (c."createdAt" AT TIME ZONE 'UTC' AT TIME ZONE ro.tz)::date BETWEEN :start AND :end
GROUP BY 1, 2, 4
