"""The thin Dagster layer: one sub-package per domain, merged in `prometric_pipelines.definitions`."""
