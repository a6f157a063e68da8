"""Logins for the roles the migrations create (`prometric_reader`, `prometric_jobs`, `prometric_maintenance`).

Migrations create the roles NOLOGIN and without passwords. On the embedded server (no
`DATABASE_URL`) the CLI then makes them logins with generated passwords kept under
`$PROMETRIC_HOME` (mode 600, like `superuser.password`), and writes the tenant key next to them,
so `make demo` works with no set-up. With `DATABASE_URL` the operator creates the logins and sets
`READER_DATABASE_URL` / `JOBS_DATABASE_URL` / `MAINTENANCE_DATABASE_URL` and `PROMETRIC_TENANT_KEY`
(docs/security.md).
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Literal

from sqlalchemy import text
from sqlalchemy.engine import URL, Engine

from prometric_pipelines.config import EXTERNAL_SERVER_VARIABLE as EXTERNAL_SERVER_VARIABLE
from prometric_pipelines.config import (
    ROLE_URL_VARIABLES,
    normalize_database_url,
    prometric_home,
    role_url_setting,
    uses_external_server,
)
from prometric_pipelines.db.tenancy import read_tenant_key, tenant_key_file
from prometric_pipelines.errors import ConfigError

READER_ROLE = "prometric_reader"
JOBS_ROLE = "prometric_jobs"
MAINTENANCE_ROLE = "prometric_maintenance"


def password_file(role: str, home: Path | None = None) -> Path:
    return (home or prometric_home()) / f"{role}.password"


def _write_private(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(content + "\n")


def _password(role: str, home: Path | None) -> str:
    """The role's password from its file, made on first use (kept, so running URLs stay valid)."""
    path = password_file(role, home)
    if path.exists() and path.read_text().strip():
        return path.read_text().strip()
    password = secrets.token_urlsafe(24)  # [A-Za-z0-9_-]: safe to inline in ALTER ROLE below
    _write_private(path, password)
    return password


def provision_logins(owner_engine: Engine, home: Path | None = None) -> dict[str, URL]:
    """Gives the three roles LOGIN and their password, and writes the tenant key; returns their URLs.

    Run as the embedded server's superuser after migrating. Idempotent.
    """
    urls: dict[str, URL] = {}
    with owner_engine.begin() as conn:
        for role in ROLE_URL_VARIABLES:
            password = _password(role, home)
            # ALTER ROLE takes no bound parameters; the password alphabet needs no quoting beyond ''
            conn.execute(text(f"ALTER ROLE {role} LOGIN PASSWORD '{password}'"))
            urls[role] = owner_engine.url.set(username=role, password=password)
        key = read_tenant_key(conn)
    _write_private(tenant_key_file(home), key)
    return urls


def role_database_url(role: str, base_url: URL | None = None, home: Path | None = None) -> URL:
    """The URL to connect as `role`: its variable (`$READER_DATABASE_URL`, `$JOBS_DATABASE_URL`,
    `$MAINTENANCE_DATABASE_URL`) when set, else the embedded server's with the password `provision_logins`
    kept. On an operator's server without the variable: one clear error, never the owner's URL."""
    variable = ROLE_URL_VARIABLES[role]
    raw = role_url_setting(role)
    if raw:
        return normalize_database_url(raw)
    if uses_external_server():
        raise ConfigError(f"DATABASE_URL is set but {variable} is not: create a login for {role} (docs/security.md)")
    path = password_file(role, home)
    if not path.exists():
        raise ConfigError(f"{path} is missing: run `prometric db migrate` to set up the embedded database's logins")
    if base_url is None:
        from prometric_pipelines.db.engine import database_url

        base_url = database_url()
    return base_url.set(username=role, password=path.read_text().strip())


# which login a process or resource connects as (docs/security.md, "Which process holds which login"): the
# data jobs as `prometric_jobs`, maintenance and the run supervisor as `prometric_maintenance`, and only
# the schema migration as the owner
Login = Literal["jobs", "maintenance", "owner"]


def login_url(login: Login) -> URL:
    """The login's URL: `JOBS_DATABASE_URL` / `MAINTENANCE_DATABASE_URL`, or on the embedded server the
    login `prometric db migrate` provisions; never the owner's URL in their place (one clear error on
    an operator's server without the variable). `owner`: `DATABASE_URL` or the embedded server's owner."""
    if login == "owner":
        from prometric_pipelines.db.engine import database_url

        return database_url()
    return role_database_url(JOBS_ROLE if login == "jobs" else MAINTENANCE_ROLE)


def supervisor_url() -> URL:
    """The `prometric run` supervisor's login: maintenance's (it reads every session's state and cancels a
    stopped run's statements), else the jobs login (its own role's sessions only), never the owner's."""
    try:
        return login_url("maintenance")
    except ConfigError:
        return login_url("jobs")


def reader_database_url() -> URL:
    """Where the dashboards connect: as `prometric_reader`, subject to row-level security."""
    return role_database_url(READER_ROLE)


def jobs_database_url() -> URL:
    """Where batch jobs may connect as `prometric_jobs` (every tenant, no DDL)."""
    return role_database_url(JOBS_ROLE)


def maintenance_database_url() -> URL:
    """Where maintenance (VACUUM, backups, health) and the run supervisor connect as `prometric_maintenance`."""
    return role_database_url(MAINTENANCE_ROLE)
