-- One evaluated KPI value (executed for a batch of rows).
INSERT INTO metric_rows ("organizationId", "workspaceId", name, type, period, date, value)
VALUES (:organization, :workspace, :name, 'kpi', :period, :date, :value)
