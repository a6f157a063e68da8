"""`prometric ui` and `prometric dashboards`, and the process helpers the demo shares with them: the
servers' command lines and environments, the port check, waiting for a server and stopping its tree."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request

from prometric_pipelines import config
from prometric_pipelines.errors import PrometricError
from prometric_pipelines.validation import argparse_type, parse_port


def register_commands(commands: argparse._SubParsersAction) -> None:
    ui = commands.add_parser("ui", help="start the Dagster UI and daemon alone")
    ui.add_argument("--port", type=argparse_type(parse_port), help="default $PROMETRIC_UI_PORT or 3000")
    ui.set_defaults(handler=ui_command)
    dashboards = commands.add_parser("dashboards", help="start the Streamlit dashboards alone")
    dashboards.add_argument("--port", type=argparse_type(parse_port), help="default $PROMETRIC_DASHBOARDS_PORT or 8501")
    dashboards.set_defaults(handler=dashboards_command)


def ui_command(args: argparse.Namespace) -> int:
    from prometric_pipelines.orchestration import dagster_environment

    port = args.port or config.ui_port()
    require_free_port(port, "--port or PROMETRIC_UI_PORT")
    prepare_database()
    env = dagster_environment()
    return subprocess.call(dagster_command(port), env=env, cwd=env["DAGSTER_HOME"])


def dashboards_command(args: argparse.Namespace) -> int:
    port = args.port or config.dashboards_port()
    require_free_port(port, "--port or PROMETRIC_DASHBOARDS_PORT")
    prepare_database()
    env = database_environment()
    if config.external_database_url() is not None and not env.get("READER_DATABASE_URL", "").strip():
        raise PrometricError(
            "DATABASE_URL is set but READER_DATABASE_URL is not: the dashboards sign in with the "
            "prometric_reader login only; create it (docs/security.md)"
        )
    return subprocess.call(streamlit_command(port), env=dashboards_environment(env))


def dagster_command(port: int, quiet: bool = False) -> list[str]:
    """`quiet` (the demo): the webserver's and daemon's own INFO lines (a sensor tick every 30 s …) stay
    off the terminal, where they would scroll the URLs and accounts away; warnings and errors still show."""
    return [
        sys.executable, "-m", "prometric_pipelines.framework_warnings", "dev",  # `dagster dev`, filtered
        "-w", str(config.PROJECT_ROOT / "workspace.yaml"),
        "-h", "127.0.0.1", "-p", str(port),
        *(["--log-level", "warning"] if quiet else []),
    ]  # fmt: skip


def streamlit_command(port: int, quiet: bool = False) -> list[str]:
    return [
        sys.executable, "-m", "streamlit", "run", str(config.PROJECT_ROOT / "dashboards" / "streamlit_app.py"),
        "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "viewer",  # no "Deploy" button or developer menu for analysts
        *(["--logger.level", "warning"] if quiet else []),
        "--client.showErrorDetails", "none",  # a second guard behind the pages' own: no traceback in the browser
    ]  # fmt: skip


def require_free_port(port: int, setting: str) -> None:
    if not config.port_is_free(port):
        raise PrometricError(f"port {port} is already in use (another demo still running?); choose one with {setting}")


def prepare_database() -> None:
    """Starts the embedded server (when no DATABASE_URL) and checks the database answers."""
    from prometric_pipelines.db.engine import check_connection, create_db_engine

    check_connection(create_db_engine())


def database_environment() -> dict[str, str]:
    """Pins child processes to the same database this process resolved (and, on the embedded
    server once migrated, to its reader and jobs logins)."""
    from prometric_pipelines.db.engine import database_url
    from prometric_pipelines.db.roles import ROLE_URL_VARIABLES, password_file, role_database_url

    url = database_url()
    env = config.child_environment(DATABASE_URL=config.libpq_url(url))
    if config.external_database_url() is None:
        for role, variable in ROLE_URL_VARIABLES.items():
            if variable not in env and password_file(role).exists():
                env[variable] = config.libpq_url(role_database_url(role, base_url=url))
    return env


# what the dashboards must not hold: the owner's URL and the jobs login (docs/security.md, "Logins")
DASHBOARDS_WITHHELD_VARIABLES = ("DATABASE_URL", "JOBS_DATABASE_URL", "MAINTENANCE_DATABASE_URL")


def dashboards_environment(env: dict[str, str]) -> dict[str, str]:
    """The dashboards' environment: the reader login only (READER_DATABASE_URL), never the owner's URL
    nor the jobs login; sign-in goes through the reader's SECURITY DEFINER functions. On an operator's
    server without READER_DATABASE_URL the app says so at sign-in (never falls back to another login)."""
    from prometric_pipelines.db.roles import EXTERNAL_SERVER_VARIABLE

    dashboards = {k: v for k, v in env.items() if k not in DASHBOARDS_WITHHELD_VARIABLES}
    if env.get("DATABASE_URL", "").strip() and config.external_database_url() is not None:
        dashboards[EXTERNAL_SERVER_VARIABLE] = "1"
    return dashboards


def stop_process_trees(children: list[subprocess.Popen], grace_seconds: float = 30) -> None:
    """SIGINT (graceful for both Dagster and Streamlit) to every group at once, `grace_seconds` in all for
    them to stop (not per server: Ctrl-C must not take a minute and a half), then SIGKILL what is left."""
    for child in children:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGINT)
    deadline = time.monotonic() + grace_seconds
    for child in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)


def wait_until_serving(url: str, children: list[subprocess.Popen], name: str, timeout: float = 180) -> None:
    """Until `url` answers 200; a child that exits meanwhile, or `timeout` s, is one clear error."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(child.poll() is not None for child in children):
            raise PrometricError(f"{name} did not start; see its output above")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise PrometricError(f"{name} did not answer at {url} within {timeout:.0f} s")
