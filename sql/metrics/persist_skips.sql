-- Replaces the stored findings of one step (:step_name) and window (:first..:last) of the run's
-- organizations with this run's (metrics_skipped_rows: the Data-quality page and docs/data-quality.md).
-- A finding dated outside the window (a deal created before it) is kept under the window's nearest day.
WITH cleared AS (
    DELETE FROM metrics_skipped_rows
    WHERE "organizationId" = ANY (CAST(:organization_ids AS uuid[]))
      AND step = :step_name AND date BETWEEN :first AND :last
)
INSERT INTO metrics_skipped_rows ("organizationId", step, date, source, reason, detail, value, rows, "runId")
SELECT "organizationId", step,
       least(greatest(coalesce(date, CAST(:first AS date)), CAST(:first AS date)), CAST(:last AS date)),
       source, reason, detail, value, sum(rows), CAST(:run_id AS text)
FROM metric_skips
WHERE step = :step_name AND "organizationId" = ANY (CAST(:organization_ids AS uuid[]))
GROUP BY 1, 2, 3, 4, 5, 6, 7
