-- Statistics for the temporary rows table before the delete/upsert join it (see analyze_values).
ANALYZE metric_rows
