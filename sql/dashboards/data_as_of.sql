-- "Data as of": the latest day of daily metrics and when the run that wrote it computed it.
WITH last_day AS (
    SELECT max(m.date) AS day FROM metrics m
    WHERE m."organizationId" = :organization_id AND m.period = 'daily'
)
SELECT l.day, max(m.metadata ->> 'computed_at') AS computed_at
FROM last_day l
LEFT JOIN metrics m
    ON m."organizationId" = :organization_id AND m.period = 'daily' AND m.date = l.day
GROUP BY l.day
