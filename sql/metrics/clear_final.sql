-- metric_final emptied for the next window of the same transaction.
TRUNCATE metric_final
