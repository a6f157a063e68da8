-- metric_rows into `metrics` by its key, with the comparison columns: previousValue is the value of the
-- same metric, workspace and grain one :step earlier (from this run's rows inside the window
-- :first.., from the stored rows before it); change is the percent change, 2 decimals, NULL when
-- previousValue is NULL or 0. target: the targetValue of an active kpi_definitions row of the
-- organization with the metric's name and the period as frequency (the latest one if several).
-- metadata: the run, the computation time and, for ratios, numerator and denominator.
INSERT INTO metrics AS m ("organizationId", "workspaceId", name, type, period, value, "previousValue", change,
                          target, date, metadata)
SELECT r."organizationId", r."workspaceId", r.name, r.type, r.period, round(r.value, 2), c.previous,
       CASE WHEN c.previous IS NULL OR c.previous = 0 THEN NULL
            ELSE round((round(r.value, 2) - c.previous) / abs(c.previous) * 100, 2) END,
       t."targetValue", r.date,
       jsonb_strip_nulls(jsonb_build_object(
           'run_id', CAST(:run_id AS text), 'computed_at', CAST(:computed_at AS text),
           'numerator', r.numerator, 'denominator', r.denominator))
FROM metric_rows r
CROSS JOIN LATERAL (SELECT CAST(r.date - CAST(:step AS interval) AS date) AS day) AS before
LEFT JOIN metric_rows p_in
    ON before.day >= :first AND p_in."organizationId" = r."organizationId" AND p_in."workspaceId" = r."workspaceId"
   AND p_in.name = r.name AND p_in.period = r.period AND p_in.date = before.day
LEFT JOIN metrics p_out
    ON before.day < :first AND p_out."organizationId" = r."organizationId" AND p_out.period = r.period
   AND p_out.date = before.day AND p_out."workspaceId" = r."workspaceId" AND p_out.name = r.name
CROSS JOIN LATERAL (SELECT coalesce(round(p_in.value, 2), p_out.value) AS previous) AS c
LEFT JOIN LATERAL (
    SELECT k."targetValue" FROM kpi_definitions k
    WHERE k."organizationId" = r."organizationId" AND k.name = r.name AND k.frequency = r.period
      AND k."isActive"
    ORDER BY k."updatedAt" DESC NULLS LAST, k.id
    LIMIT 1
) t ON true
ON CONFLICT ("organizationId", period, date, "workspaceId", name) DO UPDATE
SET type = excluded.type, value = excluded.value, "previousValue" = excluded."previousValue",
    change = excluded.change, target = excluded.target, metadata = excluded.metadata
