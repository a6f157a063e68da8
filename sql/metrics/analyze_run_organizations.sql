-- Statistics for the run's organizations (autovacuum never analyzes temporary tables): without them the
-- planner takes the 20-row table for ~900 rows, multiplies every join estimate by it and picks
-- sequential scans of invoices and payments for the nightly window.
ANALYZE metric_run_organizations
