-- Statistics for the window's final rows before they are compared with the stored ones.
ANALYZE metric_final
