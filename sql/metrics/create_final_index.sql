-- The key of metric_final: delete_window probes it for every stored row of the window. Without it a
-- misestimated window (the dates and organizations of `metrics` are correlated) became a nested loop
-- over the whole temporary table per stored row.
CREATE INDEX metric_final_key ON metric_final ("organizationId", "workspaceId", name, date)
