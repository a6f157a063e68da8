-- Statement-level INSERT triggers of the loaded tables (and fx_rates, which the load also writes): the platform's change recorders (the metrics
-- change log, the stock reconciliation's seal breaks). A load into empty tables has no computed metrics
-- or sealed balances that could go stale (a backfill follows it), so they are disabled for the load and
-- enabled again in the same transaction; row-level triggers (the audit masking) keep running.
SELECT CAST(t.tgrelid AS regclass)::text AS table_name, t.tgname AS name
FROM pg_trigger AS t
WHERE t.tgrelid = ANY (CAST(:tables AS regclass[]))
  AND NOT t.tgisinternal
  AND t.tgenabled <> 'D'
  AND (t.tgtype & 1) = 0  -- FOR EACH STATEMENT
  AND (t.tgtype & 4) <> 0  -- on INSERT (what COPY fires)
ORDER BY 1, 2
