-- Statistics for the window's final rows: once before they are compared with the stored ones
-- (mark_stored_rows), once after the mark, before delete_window probes them: with the first statistics
-- `stored` is false on every row, the planner expects no identical row and may plan the delete's
-- NOT EXISTS as a nested loop over the whole temporary table per stored row.
ANALYZE metric_final
