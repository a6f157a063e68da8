-- metric_rows (one period; delete_window removed the old rows of its window) into `metrics`,
-- with the comparison columns: previousValue is the value of the same metric, workspace and grain one
-- :step earlier, found by lag() over this run's rows plus the stored rows of the period just before the
-- window; change is the percent change, 2 decimals, NULL when previousValue is NULL or 0. target: the
-- targetValue of the latest active kpi_definitions row of the organization with the metric's name and
-- the period as frequency, joined once (not looked up per row). A key written before keeps its id and
-- createdAt. metadata: the run, the computation time and, for ratios, numerator and denominator.
WITH targets AS (
    SELECT DISTINCT ON (k."organizationId", k.name, k.frequency)
           k."organizationId", k.name, k.frequency, k."targetValue"
    FROM kpi_definitions k
    WHERE k."organizationId" = ANY (CAST(:organization_ids AS uuid[])) AND k."isActive"
    ORDER BY k."organizationId", k.name, k.frequency, k."updatedAt" DESC NULLS LAST, k.id
),
sequence AS (
    SELECT r."organizationId", r."workspaceId", r.name, r.type, r.period, r.date, round(r.value, 2) AS value,
           r.numerator, r.denominator, true AS staged
    FROM metric_rows r
    UNION ALL
    SELECT m."organizationId", m."workspaceId", m.name, m.type, m.period, m.date, m.value, NULL, NULL, false
    FROM metrics m
    WHERE m."organizationId" = ANY (CAST(:organization_ids AS uuid[]))
      AND m.period = :period AND m.date = CAST(CAST(:first AS date) - CAST(:step AS interval) AS date)
),
compared AS (
    SELECT s.*,
           CASE WHEN lag(s.date) OVER w = CAST(s.date - CAST(:step AS interval) AS date)
                THEN lag(s.value) OVER w END AS previous
    FROM sequence s
    WINDOW w AS (PARTITION BY s."organizationId", s."workspaceId", s.name ORDER BY s.date)
)
INSERT INTO metrics ("id", "createdAt", "organizationId", "workspaceId", name, type, period, value,
                     "previousValue", change, target, date, metadata)
SELECT coalesce(k.id, gen_random_uuid()), coalesce(k."createdAt", CAST(CURRENT_TIMESTAMP AS timestamp)),
       c."organizationId", c."workspaceId", c.name, c.type, c.period, c.value, c.previous,
       CASE WHEN c.previous IS NULL OR c.previous = 0 THEN NULL
            ELSE round((c.value - c.previous) / abs(c.previous) * 100, 2) END,
       t."targetValue", c.date,
       jsonb_strip_nulls(jsonb_build_object(
           'run_id', CAST(:run_id AS text), 'computed_at', CAST(:computed_at AS text),
           'numerator', c.numerator, 'denominator', c.denominator))
FROM compared c
LEFT JOIN targets t ON t."organizationId" = c."organizationId" AND t.name = c.name AND t.frequency = c.period
LEFT JOIN metric_replaced k
    ON k."organizationId" = c."organizationId" AND k."workspaceId" = c."workspaceId"
   AND k.name = c.name AND k.date = c.date
WHERE c.staged
