"""The thin Dagster layer: one sub-package per domain, merged in `prometric_pipelines.definitions`."""

from prometric_pipelines.framework_warnings import quiet_framework_warnings

# before any definition below is built (each decorator call would warn); see framework_warnings.py
quiet_framework_warnings()
