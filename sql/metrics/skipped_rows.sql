-- The run's rows left out, per organization, step, source table, reason and detail (run metadata).
SELECT CAST("organizationId" AS text) AS "organizationId", step, source, reason, detail,
       CAST(sum(rows) AS bigint) AS rows
FROM metric_skips
GROUP BY 1, 2, 3, 4, 5
ORDER BY 1, 2, 3, 4, 5
