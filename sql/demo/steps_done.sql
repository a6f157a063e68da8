-- Which of the demo's first-start steps have rows already (a first start stopped half-way finishes the
-- rest on the next start): every organization's rows, the demo's own database.
SELECT
    EXISTS (SELECT 1 FROM metrics) AS metrics,
    EXISTS (SELECT 1 FROM payroll) AS payroll,
    EXISTS (SELECT 1 FROM stock_reconciliation_runs) AS stock_reconciliation_runs,
    EXISTS (SELECT 1 FROM audit_log_archives) AS audit_log_archives,
    EXISTS (SELECT 1 FROM maintenance_health_snapshots) AS maintenance_health_snapshots
