-- The new or changed rows of metric_final (delete_window removed their old versions; a row marked
-- stored is identical and stays) into `metrics`. A key written before keeps its id and createdAt. metadata: the
-- run that wrote the row, the computation time and, for ratios, numerator and denominator.
INSERT INTO metrics ("id", "createdAt", "organizationId", "workspaceId", name, type, period, value,
                     "previousValue", change, target, date, metadata)
SELECT coalesce(k.id, gen_random_uuid()), coalesce(k."createdAt", CAST(CURRENT_TIMESTAMP AS timestamp)),
       f."organizationId", f."workspaceId", f.name, f.type, f.period, f.value, f."previousValue", f.change,
       f.target, f.date,
       jsonb_strip_nulls(jsonb_build_object(
           'run_id', CAST(:run_id AS text), 'computed_at', CAST(:computed_at AS text),
           'numerator', f.numerator, 'denominator', f.denominator))
FROM metric_final f
LEFT JOIN metric_replaced k
    ON k."organizationId" = f."organizationId" AND k."workspaceId" = f."workspaceId"
   AND k.name = f.name AND k.date = f.date
WHERE NOT f.stored
