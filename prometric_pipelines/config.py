"""Settings read from the environment, in one place.

| variable | meaning | default |
|---|---|---|
| `DATABASE_URL` | the operational PostgreSQL; when unset, the embedded server is used | unset |
| `PROMETRIC_HOME` | local state: embedded server data, Dagster instance, archives | `<project>/.prometric` |
| `PROMETRIC_UI_PORT` / `PROMETRIC_DASHBOARDS_PORT` | ports of the Dagster UI and Streamlit | 3000 / 8501 |
| `ARCHIVE_URL` | audit archive and backups: a path, `file://…` or `s3://bucket/prefix` | `<PROMETRIC_HOME>/archive` |
| `AUDIT_RETENTION_MONTHS` | months of audit logs kept live (per organization: `settings.audit.retentionMonths`) | 12 |
| `PROMETRIC_PARTITIONS_START` | first day of the Dagster partitions: the data's first day (demo: set) | 2025-01-01 |
| `SMTP_URL` | alert e-mails: `smtp://[user:password@]host:port` (`?starttls=1`) or `smtps://…` | unset: no e-mail |
| `SMTP_FROM` | the alert e-mails' sender | `Prometric <alerts@localhost>` |
| `READER_DATABASE_URL` / `JOBS_DATABASE_URL` / `MAINTENANCE_DATABASE_URL` | the roles' logins | embedded: generated |
| `PROMETRIC_EXTERNAL_SERVER` | 1: an operator's server although DATABASE_URL is not given (dashboards) | unset |
| `PROMETRIC_TENANT_KEY` | the key that signs tenant proofs | `<PROMETRIC_HOME>/tenant.key` |
| `PROMETRIC_PG_BIN_DIR` | the folder of pg_dump/pg_restore for backups | bundled, PATH, /usr/lib/postgresql |
| `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL` | an S3-compatible server for `s3://` archives | unset: AWS |
| `AWS_REGION` / `AWS_DEFAULT_REGION` | the S3 region | us-east-1 |
| `PROMETRIC_DASHBOARDS_TODAY` | pins the dashboards' today (YYYY-MM-DD; tests, replays) | unset: ranges end yesterday |
| `PROMETRIC_DASHBOARDS_IDLE_MINUTES` | dashboards sign-out after this many idle minutes (1-1440) | 30 |
| `PROMETRIC_AUDIT_PAUSE_AT` / `PROMETRIC_AUDIT_PAUSE_MARKER` | test hook: the audit archive stops at a step | unset |
| `PROMETRIC_SCHEDULES` | `running`: schedules and automation sensors start when the code location loads | stopped |
| `DAGSTER_HOME` | the Dagster instance of CLI runs, the UI and the daemon | `<PROMETRIC_HOME>/dagster` |
| `DAGSTER_PG_DB` / `_HOST` / `_PORT` | Dagster's own storage (production); never the operational database | unset |

Nothing else in `prometric_pipelines/` or `dashboards/` reads the environment (a test enforces it): a
module that needs a setting calls a function here.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from prometric_pipelines.errors import ConfigError

PACKAGE_DIR = Path(__file__).resolve().parent
# The checkout holds migrations/, sql/ and dashboards/ beside the package (editable install).
PROJECT_ROOT = PACKAGE_DIR.parent
DATABASE_NAME = "prometric"


def prometric_home() -> Path:
    return Path(os.environ.get("PROMETRIC_HOME") or PROJECT_ROOT / ".prometric").resolve()


def archive_url() -> str:
    """`ARCHIVE_URL`, or `<PROMETRIC_HOME>/archive` when unset."""
    return os.environ.get("ARCHIVE_URL", "").strip() or str(prometric_home() / "archive")


DEFAULT_AUDIT_RETENTION_MONTHS = 12


def audit_retention_months() -> int:
    """`AUDIT_RETENTION_MONTHS` (whole months, 1-1200), default 12."""
    raw = os.environ.get("AUDIT_RETENTION_MONTHS", "").strip()
    if not raw:
        return DEFAULT_AUDIT_RETENTION_MONTHS
    if not raw.isdigit() or not 1 <= int(raw) <= 1200:
        raise ConfigError(f"AUDIT_RETENTION_MONTHS={raw!r} is not a number of months (1-1200)")
    return int(raw)


def ui_port() -> int:
    return _port("PROMETRIC_UI_PORT", 3000)


def dashboards_port() -> int:
    return _port("PROMETRIC_DASHBOARDS_PORT", 8501)


def _port(variable: str, default: int) -> int:
    raw = os.environ.get(variable)
    if not raw:
        return default
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ConfigError(f"{variable}={raw!r} is not a TCP port (1-65535)")
    return int(raw)


def port_is_free(port: int) -> bool:
    """Whether a server could listen on 127.0.0.1:port now."""
    with socket.socket() as probe:
        # as servers bind: connections of a previous run lingering in TIME_WAIT don't count
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def external_database_url() -> URL | None:
    """`DATABASE_URL` as a SQLAlchemy URL for psycopg 3, or None when it is unset."""
    raw = os.environ.get("DATABASE_URL", "").strip()
    if not raw:
        return None
    return normalize_database_url(raw)


def normalize_database_url(raw: str) -> URL:
    """Accepts `postgres://`, `postgresql://` and `postgresql+psycopg://` and returns a psycopg 3 URL."""
    try:
        url = make_url(raw)
    except ArgumentError:
        raise ConfigError(
            f"DATABASE_URL is not a database URL: {raw!r} (expected postgresql://user:password@host:port/database)"
        ) from None
    if url.drivername not in ("postgres", "postgresql", "postgresql+psycopg"):
        raise ConfigError(f"DATABASE_URL must point at PostgreSQL (postgresql://…), not {url.drivername!r}")
    if not url.database:
        raise ConfigError("DATABASE_URL names no database (…/database at its end)")
    return url.set(drivername="postgresql+psycopg")


def display_url(url: URL) -> str:
    """The URL with its password hidden, for messages and metadata."""
    return url.render_as_string(hide_password=True)


def libpq_url(url: URL, hide_password: bool = False) -> str:
    """The form psql, psycopg and other libpq clients accept (no SQLAlchemy driver suffix)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=hide_password)


PARTITIONS_START_VARIABLE = "PROMETRIC_PARTITIONS_START"
# Recent enough that the UI does not count years of "missing" partitions before a new installation's
# data; the first year the payroll parameters know. An installation with older history sets its own.
DEFAULT_PARTITIONS_START = dt.date(2025, 1, 1)
EARLIEST_PARTITIONS_START = dt.date(2018, 1, 1)  # the holiday calendar's first year


def partitions_start() -> dt.date:
    """`PROMETRIC_PARTITIONS_START` (YYYY-MM-DD): the first daily partition of the metrics and stock
    assets; monthly assets start on its month. Read when the definitions load."""
    raw = os.environ.get(PARTITIONS_START_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_PARTITIONS_START
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise ConfigError(f"{PARTITIONS_START_VARIABLE}={raw!r} is not a date (YYYY-MM-DD)") from None
    if day < EARLIEST_PARTITIONS_START:
        raise ConfigError(f"{PARTITIONS_START_VARIABLE}={raw!r} is before {EARLIEST_PARTITIONS_START}")
    return day


DEFAULT_SMTP_FROM = "Prometric <alerts@localhost>"


def smtp_url() -> str | None:
    """`SMTP_URL` (the alert e-mail digest's server), or None when unset: alerts are then in-app only."""
    return os.environ.get("SMTP_URL", "").strip() or None


def smtp_sender() -> str:
    return os.environ.get("SMTP_FROM", "").strip() or DEFAULT_SMTP_FROM


# ---- Dagster, and the processes the CLI starts ----------------------------------------------------------

SCHEDULES_VARIABLE = "PROMETRIC_SCHEDULES"


def schedules_running() -> bool:
    """`PROMETRIC_SCHEDULES=running`: schedules and automation sensors start running when the code location
    loads (the demo, production); otherwise they load stopped."""
    return os.environ.get(SCHEDULES_VARIABLE, "").strip().lower() == "running"


def setting_is_set(variable: str) -> bool:
    """Whether the environment gives `variable` a non-empty value (resources then take it through
    `dagster.EnvVar`, so the UI shows where the value comes from, never the value)."""
    return bool(os.environ.get(variable, "").strip())


DAGSTER_STORAGE_VARIABLES = ("DAGSTER_PG_DB", "DAGSTER_PG_HOST", "DAGSTER_PG_PORT", "DATABASE_URL")


def dagster_storage_settings() -> dict[str, str]:
    """The variables that say where Dagster's own storage and the operational database are (set ones only)."""
    return {name: os.environ[name] for name in DAGSTER_STORAGE_VARIABLES if name in os.environ}


def database_url_as_set() -> str | None:
    """`DATABASE_URL` exactly as the caller wrote it (for `prometric db url`), or None when unset."""
    return os.environ.get("DATABASE_URL", "").strip() or None


def partitions_start_is_set() -> bool:
    """Whether the caller chose `PROMETRIC_PARTITIONS_START` (the demo then keeps it)."""
    return setting_is_set(PARTITIONS_START_VARIABLE)


def dagster_home_override() -> Path | None:
    """`DAGSTER_HOME` when set: the Dagster instance the caller chose instead of `<PROMETRIC_HOME>/dagster`."""
    configured = os.environ.get("DAGSTER_HOME")
    return Path(configured) if configured else None


def export_setting(name: str, value: str) -> None:
    """Sets a variable for the rest of this process and the children it starts (the demo pins the
    database and the partitions' start before any definition loads)."""
    os.environ[name] = value


# ---- logins and the tenant key (db/roles.py, db/tenancy.py) ------------------------------------------

ROLE_URL_VARIABLES = {
    "prometric_reader": "READER_DATABASE_URL",
    "prometric_jobs": "JOBS_DATABASE_URL",
    "prometric_maintenance": "MAINTENANCE_DATABASE_URL",
}
# set (to 1) for a process that is not given DATABASE_URL although the database is an operator's server
# (the dashboards): a missing role URL is then an error, never a fall-back to the embedded server
EXTERNAL_SERVER_VARIABLE = "PROMETRIC_EXTERNAL_SERVER"
TENANT_KEY_VARIABLE = "PROMETRIC_TENANT_KEY"


def role_url_setting(role: str) -> str:
    """The role's URL variable (`READER_DATABASE_URL`, …) as written, or "" when unset."""
    return os.environ.get(ROLE_URL_VARIABLES[role], "").strip()


def uses_external_server() -> bool:
    """Whether the database is an operator's server: `DATABASE_URL` or `PROMETRIC_EXTERNAL_SERVER` is set."""
    return bool(os.environ.get("DATABASE_URL", "").strip() or os.environ.get(EXTERNAL_SERVER_VARIABLE, "").strip())


def tenant_key_setting() -> str:
    """`PROMETRIC_TENANT_KEY`, or "" when unset (the key file under PROMETRIC_HOME is then used)."""
    return os.environ.get(TENANT_KEY_VARIABLE, "").strip()


# ---- child processes, client programs and object storage ----------------------------------------------


def child_environment(**overrides: str) -> dict[str, str]:
    """This process's environment plus `overrides`: what a child process (Dagster, Streamlit) starts with."""
    return {**os.environ, **overrides}


PG_BIN_DIR_VARIABLE = "PROMETRIC_PG_BIN_DIR"


def pg_bin_dir() -> Path | None:
    """`PROMETRIC_PG_BIN_DIR`: the folder of pg_dump/pg_restore to use, or None to look for them."""
    configured = os.environ.get(PG_BIN_DIR_VARIABLE, "").strip()
    return Path(configured) if configured else None


def s3_endpoint_url() -> str | None:
    """`AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL` (an S3-compatible server), else None (AWS)."""
    return os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or None


def s3_region() -> str:
    """`AWS_REGION`, else `AWS_DEFAULT_REGION`, else us-east-1."""
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


# ---- test hooks ---------------------------------------------------------------------------------------

# Fault injection for tests: the audit archive run stops (sleeps) at this named step until it is killed.
AUDIT_PAUSE_VARIABLE = "PROMETRIC_AUDIT_PAUSE_AT"
AUDIT_PAUSE_MARKER_VARIABLE = "PROMETRIC_AUDIT_PAUSE_MARKER"


def audit_pause_step() -> str | None:
    """`PROMETRIC_AUDIT_PAUSE_AT`: the archive step to stop at, or None."""
    return os.environ.get(AUDIT_PAUSE_VARIABLE)


def audit_pause_marker() -> str | None:
    """`PROMETRIC_AUDIT_PAUSE_MARKER`: the file the paused step's name is written to, or None."""
    return os.environ.get(AUDIT_PAUSE_MARKER_VARIABLE)


# ---- the dashboards -----------------------------------------------------------------------------------

DASHBOARDS_TODAY_VARIABLE = "PROMETRIC_DASHBOARDS_TODAY"
DASHBOARDS_IDLE_MINUTES_VARIABLE = "PROMETRIC_DASHBOARDS_IDLE_MINUTES"
DEFAULT_DASHBOARDS_IDLE_MINUTES = 30


def dashboards_today() -> dt.date | None:
    """`PROMETRIC_DASHBOARDS_TODAY` (YYYY-MM-DD) pins the dashboards' "today" (tests, replays); None when unset."""
    pinned = os.environ.get(DASHBOARDS_TODAY_VARIABLE, "").strip()
    return dt.date.fromisoformat(pinned) if pinned else None


def dashboards_idle_minutes() -> int:
    """`PROMETRIC_DASHBOARDS_IDLE_MINUTES` (1-1440), default 30; a bad value keeps the default."""
    raw = os.environ.get(DASHBOARDS_IDLE_MINUTES_VARIABLE, "").strip()
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= 1440 else DEFAULT_DASHBOARDS_IDLE_MINUTES
