-- The guard at the numeric edge: a staged value that does not fit metrics.value NUMERIC(15,2) once
-- rounded to 2 decimals (|value| ≥ 10^13: a year of revenue, a payroll_gross sum, a KPI formula) is
-- taken out of metric_rows and recorded in metric_skips with its organization, key and value, so the
-- other rows of the window are written instead of the whole statement failing with an overflow.
WITH out_of_range AS (
    DELETE FROM metric_rows
    WHERE abs(round(value, 2)) >= 1e13
    RETURNING "organizationId", "workspaceId", name, period, date, value
)
INSERT INTO metric_skips ("organizationId", step, date, source, reason, detail, value, rows)
SELECT "organizationId", :step_name, date, 'metrics', 'value out of range for NUMERIC(15,2)',
       name || ' ' || period || ' ' || date || ' workspace ' || "workspaceId", CAST(value AS text), 1
FROM out_of_range
