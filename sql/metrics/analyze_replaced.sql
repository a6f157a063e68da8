-- Statistics for the deleted keys before insert_rows joins them (see analyze_values).
ANALYZE metric_replaced
