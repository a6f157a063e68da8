"""Resources shared by every domain: the jobs' login (`postgres`) and the owner's (`maintenance_postgres`)."""

from typing import Literal

import dagster as dg
from pydantic import Field, PrivateAttr
from sqlalchemy.engine import URL, Engine

from prometric_pipelines import config
from prometric_pipelines.config import normalize_database_url
from prometric_pipelines.db.engine import check_connection, create_db_engine, database_url

# A run waits this long at most for a lock another run (or a person's session) holds: long enough for
# the longest run it may queue behind, short enough that a forgotten session cannot stall jobs for ever.
JOB_LOCK_TIMEOUT_SECONDS = 15 * 60

# which login a resource connects as when no `database_url` is given (docs/security.md, "Which process
# holds which login"): the data jobs as `prometric_jobs`, the schema and maintenance as the owner
Login = Literal["jobs", "owner"]


def jobs_url() -> URL:
    """The data jobs' URL: `JOBS_DATABASE_URL`, or on the embedded server the `prometric_jobs` login that
    `prometric db migrate` provisions. On an operator's server without JOBS_DATABASE_URL it is still
    `DATABASE_URL` (docs/security.md, "Which process holds which login": set JOBS_DATABASE_URL there)."""
    from prometric_pipelines.db.roles import JOBS_ROLE, role_database_url
    from prometric_pipelines.errors import ConfigError

    try:
        return role_database_url(JOBS_ROLE)
    except ConfigError:
        if config.external_database_url() is None:
            raise  # the embedded server without its logins: `prometric db migrate` provisions them
        return database_url()


class PostgresResource(dg.ConfigurableResource):
    """The operational PostgreSQL: the one way assets reach the database.

    `login="jobs"` (the `postgres` resource of the data jobs) connects as `prometric_jobs`
    (`JOBS_DATABASE_URL`, or the embedded server's jobs login); `login="owner"` (the
    `maintenance_postgres` resource of the schema and maintenance assets) as `DATABASE_URL` or the
    embedded server's owner. `database_url` overrides both (tests, an operator's explicit choice).
    """

    database_url: str | None = Field(
        default=None, description="Overrides the login's URL; empty means the URL of `login`."
    )

    login: Login = Field(
        default="jobs",
        description="Whose URL to use when database_url is empty: `jobs` (prometric_jobs) or `owner` (DATABASE_URL).",
    )

    lock_timeout_seconds: float = Field(
        default=JOB_LOCK_TIMEOUT_SECONDS,
        description=(
            "How long a job's statement may wait for a lock (an advisory lock of another run, a table another "
            "session holds) before it fails with a lock timeout; 0 waits without limit."
        ),
    )

    _engine: Engine | None = PrivateAttr(default=None)

    def url(self) -> URL:
        if self.database_url:
            return normalize_database_url(self.database_url)
        return jobs_url() if self.login == "jobs" else database_url()

    def get_engine(self) -> Engine:
        """The shared engine; the first call checks the database answers (one clear error if not)."""
        if self._engine is None:
            engine = create_db_engine(self.url(), lock_timeout_seconds=self.lock_timeout_seconds or None)
            check_connection(engine)
            self._engine = engine
        return self._engine

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


defs = dg.Definitions(
    resources={"postgres": PostgresResource(login="jobs"), "maintenance_postgres": PostgresResource(login="owner")}
)
