"""Metrics and KPI rollups (specs/metrics.md): plain Python and SQL, no Dagster."""
