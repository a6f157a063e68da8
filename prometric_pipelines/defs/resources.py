"""The resources of the code location, one per login, and the archive.

`postgres` (the data jobs, `prometric_jobs`), `maintenance_postgres` (`prometric_maintenance`: VACUUM,
ANALYZE, REINDEX, backups, health), `schema_postgres` (the owner, the schema migration only) and `archive`
(ARCHIVE_URL). A URL the environment sets reaches them through `dagster.EnvVar`: the UI then shows the
variable's name, never its value; an unset one leaves the default (the login's own URL, the local archive).
"""

import dagster as dg

from prometric_pipelines.config import setting_is_set
from prometric_pipelines.db.roles import JOBS_ROLE, MAINTENANCE_ROLE, ROLE_URL_VARIABLES, Login
from prometric_pipelines.lib.resources import ArchiveResource, PostgresResource

# the login each resource connects as, and the role whose URL variable overrides it
LOGIN_ROLES: dict[Login, str | None] = {
    "jobs": JOBS_ROLE,
    "maintenance": MAINTENANCE_ROLE,
    "owner": None,  # DATABASE_URL, or the embedded server's owner
}


def _from_environment(variable: str) -> dg.EnvVar | None:
    return dg.EnvVar(variable) if setting_is_set(variable) else None


def _postgres(login: Login) -> PostgresResource:
    role = LOGIN_ROLES[login]
    variable = ROLE_URL_VARIABLES[role] if role else "DATABASE_URL"
    url = _from_environment(variable)
    return PostgresResource(login=login) if url is None else PostgresResource(login=login, database_url=url)


def _archive() -> ArchiveResource:
    url = _from_environment("ARCHIVE_URL")
    return ArchiveResource() if url is None else ArchiveResource(url=url)


defs = dg.Definitions(
    resources={
        "postgres": _postgres("jobs"),
        "maintenance_postgres": _postgres("maintenance"),
        "schema_postgres": _postgres("owner"),
        "archive_storage": _archive(),
    }
)
