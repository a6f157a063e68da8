-- Data-quality findings of one organization for :start..:end (docs/data-quality.md): the rows each job
-- left out, by job, source table and reason. Metrics: metrics_skipped_rows of the days or periods in
-- the range; payroll: payroll_skips of the months touching the range; stock: the movements and
-- finding values of the latest reconciliation in the range that the ledger left out or could not store.
WITH metrics AS (
    SELECT 'metrics ' || s.step AS job, s.source, s.reason, sum(s.rows) AS rows
    FROM metrics_skipped_rows s
    WHERE s."organizationId" = :organization_id AND s.date BETWEEN :start AND :end
    GROUP BY 1, 2, 3
),
payroll AS (
    SELECT 'payroll' AS job, 'employees' AS source, k.reason, count(*) AS rows
    FROM payroll_skips k
    WHERE k."organizationId" = :organization_id
      AND make_date(k.year, k.month, 1) BETWEEN CAST(date_trunc('month', CAST(:start AS date)) AS date) AND :end
    GROUP BY 1, 2, 3
),
latest_reconciliation AS (
    SELECT r.id
    FROM stock_reconciliation_runs r
    WHERE r."organizationId" = :organization_id AND r.status = 'completed' AND r."runDate" BETWEEN :start AND :end
    ORDER BY r."runDate" DESC, r."finishedAt" DESC
    LIMIT 1
),
stock AS (
    SELECT 'stock reconciliation' AS job,
           CASE WHEN d.details ? 'outOfRange' THEN 'stock_discrepancies' ELSE 'stock_movements' END AS source,
           CASE WHEN d.details ? 'outOfRange' THEN 'value out of range (stored as NULL)'
                WHEN d.kind = 'invalid_movement' THEN 'invalid movement: ' || coalesce(d.details ->> 'problem', '?')
                ELSE 'reference to another organization' END AS reason,
           count(*) AS rows
    FROM stock_discrepancies d
    JOIN latest_reconciliation l ON l.id = d."runId"
    WHERE d."organizationId" = :organization_id
      AND (d.kind IN ('invalid_movement', 'cross_tenant_reference') OR d.details ? 'outOfRange')
    GROUP BY 1, 2, 3
)
SELECT job, source, reason, CAST(rows AS bigint) AS rows FROM metrics
UNION ALL SELECT job, source, reason, CAST(rows AS bigint) FROM payroll
UNION ALL SELECT job, source, reason, CAST(rows AS bigint) FROM stock
ORDER BY job, source, rows DESC, reason
