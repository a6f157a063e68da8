-- Rows of the rewritten window that the new computation no longer produces (a ratio whose denominator
-- fell to 0, a KPI that now fails …): deleted by delete_window and not written again.
SELECT count(*) FROM metric_replaced k
WHERE NOT EXISTS (
    SELECT 1 FROM metric_rows r
    WHERE r."organizationId" = k."organizationId" AND r."workspaceId" = k."workspaceId"
      AND r.name = k.name AND r.date = k.date
)
