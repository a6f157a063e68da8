"""The production instance's storage must never be the operational database (deploy/dagster.yaml)."""

from __future__ import annotations

from collections.abc import Mapping

from prometric_pipelines.config import normalize_database_url
from prometric_pipelines.errors import ConfigError


def check_dagster_storage(environ: Mapping[str, str]) -> None:
    """Raises ConfigError when DAGSTER_PG_* (Dagster's storage) name the database of DATABASE_URL.

    Dagster would create its tables and run its schema migrations among the ERP's; backups of business
    data would carry run history. Without DAGSTER_PG_DB (local SQLite instance) there is nothing to check.
    """
    dagster_db = environ.get("DAGSTER_PG_DB", "").strip()
    operational = environ.get("DATABASE_URL", "").strip()
    if not dagster_db or not operational:
        return
    url = normalize_database_url(operational)
    dagster_host = environ.get("DAGSTER_PG_HOST", "").strip() or "localhost"
    dagster_port = int(environ.get("DAGSTER_PG_PORT", "").strip() or 5432)
    same_server = (_host(dagster_host), dagster_port) == (_host(url.host or "localhost"), url.port or 5432)
    if same_server and dagster_db == url.database:
        raise ConfigError(
            f"DAGSTER_PG_DB {dagster_db!r} is the operational database of DATABASE_URL: give Dagster a database "
            "of its own (e.g. CREATE DATABASE dagster), see deploy/README.md"
        )


def _host(name: str) -> str:
    return "localhost" if name in ("127.0.0.1", "::1", "localhost") else name.lower()
