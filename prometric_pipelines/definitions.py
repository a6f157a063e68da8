"""The code location (workspace.yaml, `[tool.dg]` in pyproject.toml): every module under `defs/`, loaded by
Dagster's folder autoload. A domain adds its assets, checks, jobs and schedules in `defs/<domain>/` and
nothing here changes. Before loading, the code location refuses a Dagster storage that is the operational
database (one clear error in the UI and in `dg check defs`)."""

from pathlib import Path

import dagster as dg

from prometric_pipelines.config import dagster_storage_settings
from prometric_pipelines.monitoring.instance import check_dagster_storage

check_dagster_storage(dagster_storage_settings())

defs = dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
