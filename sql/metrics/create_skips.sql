-- Rows a run leaves out, each with its reason (docs/data-quality.md): malformed ERP rows, rows whose
-- currency has no rate on their date, values that do not fit metrics.value after rounding. `step`
-- is the grain being written (daily, weekly…, kpi_monthly…), `date` the day or period start (NULL:
-- the window's first day), `detail` what identifies the case (a currency, a status, a metric key),
-- `value` the offending value as text. Persisted per step and window by persist_skips.sql.
CREATE TEMP TABLE metric_skips (
    "organizationId" uuid NOT NULL,
    step text NOT NULL DEFAULT 'daily',
    date date,
    source text NOT NULL,
    reason text NOT NULL,
    detail text,
    value text,
    rows bigint NOT NULL
) ON COMMIT DROP
