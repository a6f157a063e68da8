-- Empties the run's row buffer between periods.
TRUNCATE metric_rows
