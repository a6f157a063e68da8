"""Running jobs in the local Dagster instance, so CLI runs show in the UI's run history."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prometric_pipelines.config import PROJECT_ROOT, child_environment, dagster_home_override, prometric_home
from prometric_pipelines.progress import say

if TYPE_CHECKING:
    from dagster import RunConfig

# The terminal gets INFO and above; the UI keeps every event of the run.
QUIET_CONSOLE: dict[str, Any] = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def dagster_home() -> Path:
    """`DAGSTER_HOME` when set; otherwise `<PROMETRIC_HOME>/dagster` holding a copy of ./dagster.yaml."""
    configured = dagster_home_override()
    if configured is not None:
        return configured
    home = prometric_home() / "dagster"
    home.mkdir(parents=True, exist_ok=True)
    # refreshed every time so edits of the checked-in file take effect
    shutil.copyfile(PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    return home


def dagster_environment() -> dict[str, str]:
    """The environment for Dagster processes (webserver, daemon, in-process runs)."""
    return child_environment(DAGSTER_HOME=str(dagster_home()))


_verbose = False


def set_verbose(verbose: bool) -> None:
    """`prometric --verbose`: a failed run also shows the framework's tracebacks."""
    global _verbose
    _verbose = verbose


def run_job(job_name: str, run_config: RunConfig | None = None, tags: dict[str, str] | None = None):
    """Executes a job of the code location in-process, recorded in the local instance.

    First clears what dead runs left (supervision.clear_dead_runs); while the run waits for a pool
    slot or a lock it says so every few seconds; Ctrl-C/SIGTERM stop it within seconds (RunStopped).
    Returns Dagster's ExecuteInProcessResult; a failed run raises RunFailed (run_failures): one line
    per failed organization or step and where the full log is.
    """
    import dagster as dg

    from prometric_pipelines.db.engine import create_db_engine
    from prometric_pipelines.db.roles import supervisor_url
    from prometric_pipelines.definitions import defs
    from prometric_pipelines.lib.run_config import run_config_dict
    from prometric_pipelines.run_failures import console_logger, describe_failure
    from prometric_pipelines.supervision import clear_dead_runs, execute_supervised, launcher_tags, new_run_id

    job = defs.resolve_job_def(job_name).with_logger_defs({"console": console_logger(verbose=_verbose)})
    run_id = new_run_id()
    with dg.DagsterInstance.from_config(str(dagster_home())) as instance:
        clear_dead_runs(instance, say)
        result = execute_supervised(
            lambda: job.execute_in_process(
                run_config={**QUIET_CONSOLE, **run_config_dict(run_config)},
                instance=instance,
                tags={**(tags or {}), **launcher_tags()},
                run_id=run_id,
                raise_on_error=False,
            ),
            instance=instance,
            run_id=run_id,
            say=say,
            database_engine=lambda: create_db_engine(supervisor_url(), connect_attempts=1),
        )
    if not result.success:
        raise describe_failure(job_name, result.run_id, result.all_events)
    return result
