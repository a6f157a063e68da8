-- Empties the run's row buffers between periods.
TRUNCATE metric_rows, metric_replaced
