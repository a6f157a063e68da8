-- The run's rows left out for want of an exchange rate, per organization, source table and currency.
SELECT CAST("organizationId" AS text) AS "organizationId", source, currency, CAST(sum(rows) AS bigint) AS rows
FROM metric_skips
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3
