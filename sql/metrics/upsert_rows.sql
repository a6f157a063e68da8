-- metric_rows into `metrics` by its key. target: the targetValue of an active kpi_definitions row of the
-- organization with the metric's name and the period as frequency (the latest one if several).
-- metadata: the run, the computation time and, for ratios, numerator and denominator.
INSERT INTO metrics AS m ("organizationId", "workspaceId", name, type, period, value, target, date, metadata)
SELECT r."organizationId", r."workspaceId", r.name, r.type, r.period, round(r.value, 2), t."targetValue", r.date,
       jsonb_strip_nulls(jsonb_build_object(
           'run_id', CAST(:run_id AS text), 'computed_at', CAST(:computed_at AS text),
           'numerator', r.numerator, 'denominator', r.denominator))
FROM metric_rows r
LEFT JOIN LATERAL (
    SELECT k."targetValue" FROM kpi_definitions k
    WHERE k."organizationId" = r."organizationId" AND k.name = r.name AND k.frequency = r.period
      AND k."isActive"
    ORDER BY k."updatedAt" DESC NULLS LAST, k.id
    LIMIT 1
) t ON true
ON CONFLICT ("organizationId", period, date, "workspaceId", name) DO UPDATE
SET type = excluded.type, value = excluded.value, target = excluded.target, metadata = excluded.metadata
