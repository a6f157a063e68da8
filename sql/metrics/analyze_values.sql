-- Statistics for the temporary values table (autovacuum never analyzes temporary tables): without them
-- the planner guesses a handful of rows and joins the time spine by nested loops.
ANALYZE metric_values
