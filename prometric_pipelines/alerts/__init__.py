"""Alerts: unusual daily metric values, KPIs off target, stale partitions and failed runs, in one table
(`alerts`), delivered in-app and by e-mail. See docs/alerts.md."""
