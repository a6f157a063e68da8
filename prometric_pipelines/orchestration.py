"""Running jobs in the local Dagster instance, so CLI runs show in the UI's run history."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from prometric_pipelines.config import PROJECT_ROOT, prometric_home
from prometric_pipelines.errors import PrometricError

# The terminal gets INFO and above; the UI keeps every event of the run.
QUIET_CONSOLE: dict[str, Any] = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def dagster_home() -> Path:
    """`DAGSTER_HOME` when set; otherwise `<PROMETRIC_HOME>/dagster` holding a copy of ./dagster.yaml."""
    configured = os.environ.get("DAGSTER_HOME")
    if configured:
        return Path(configured)
    home = prometric_home() / "dagster"
    home.mkdir(parents=True, exist_ok=True)
    # refreshed every time so edits of the checked-in file take effect
    shutil.copyfile(PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    return home


def dagster_environment() -> dict[str, str]:
    """The environment for Dagster processes (webserver, daemon, in-process runs)."""
    return {**os.environ, "DAGSTER_HOME": str(dagster_home())}


def run_job(job_name: str, run_config: dict[str, Any] | None = None, tags: dict[str, str] | None = None):
    """Executes a job of the code location in-process, recorded in the local instance.

    Returns Dagster's ExecuteInProcessResult; a failed run raises PrometricError naming the
    failing step and its error message.
    """
    import dagster as dg

    from prometric_pipelines.definitions import defs

    job = defs.resolve_job_def(job_name)
    with dg.DagsterInstance.from_config(str(dagster_home())) as instance:
        result = job.execute_in_process(
            run_config={**QUIET_CONSOLE, **(run_config or {})}, instance=instance, tags=tags, raise_on_error=False
        )
    if not result.success:
        raise PrometricError(f"{job_name} failed (run {result.run_id}): {_first_failure(result)}")
    return result


def _first_failure(result: Any) -> str:
    step, message = first_step_failure(result.all_events)
    return f"{step}: {message}" if step else "see the run in the Dagster UI"


def first_step_failure(events: Iterable[Any]) -> tuple[str, str]:
    """(step key, one-line message of the original exception) of the first failed step; ("", "") if none."""
    for event in events:
        if event.is_step_failure and event.step_failure_data.error is not None:
            error = event.step_failure_data.error
            # the user-facing message of the original exception, not Dagster's wrapper
            while error.cause is not None and error.cls_name.startswith("Dagster"):
                error = error.cause
            # "package.module.ErrorClass: message" -> "message"
            message = re.sub(rf"^([\w.]*\.)?{re.escape(error.cls_name)}: ", "", error.message.strip())
            return event.step_key, (message.splitlines() or [""])[0]
    return "", ""
