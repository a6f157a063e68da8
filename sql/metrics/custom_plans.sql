-- A plan for each execution with its own window, never a cached generic one (for this transaction).
-- psycopg prepares a statement it has run 5 times on a connection, and PostgreSQL then may switch to a
-- generic plan that knows neither the dates nor the organizations: a nightly run with many windows ran
-- daily_invoices.sql with a generic plan estimating 1 invoice and joined 20k invoices with 40k
-- payments in a nested loop (minutes instead of 0.5 s; docs/metrics.md, "Performance").
SELECT set_config('plan_cache_mode', 'force_custom_plan', true)
