"""Resources shared by every domain, one per login: the data jobs' (`postgres`), maintenance's
(`maintenance_postgres`) and the owner's for the schema migration only (`schema_postgres`)."""

import dagster as dg
from pydantic import Field, PrivateAttr
from sqlalchemy.engine import URL, Engine

from prometric_pipelines.config import normalize_database_url
from prometric_pipelines.db.engine import check_connection, create_db_engine
from prometric_pipelines.db.roles import Login, login_url

# A run waits this long at most for a lock another run (or a person's session) holds: long enough for
# the longest run it may queue behind, short enough that a forgotten session cannot stall jobs for ever.
JOB_LOCK_TIMEOUT_SECONDS = 15 * 60


class PostgresResource(dg.ConfigurableResource):
    """The operational PostgreSQL: the one way assets reach the database.

    `login="jobs"` (the `postgres` resource of the data jobs) connects as `prometric_jobs`,
    `login="maintenance"` (`maintenance_postgres`: VACUUM, ANALYZE, REINDEX, backups, health) as
    `prometric_maintenance`, `login="owner"` (`schema_postgres`, the migration asset only) as
    `DATABASE_URL` or the embedded server's owner. `database_url` overrides them (tests, an operator's
    explicit choice).
    """

    database_url: str | None = Field(
        default=None, description="Overrides the login's URL; empty means the URL of `login`."
    )

    login: Login = Field(
        default="jobs",
        description=(
            "Whose URL to use when database_url is empty: `jobs` (prometric_jobs), `maintenance` "
            "(prometric_maintenance) or `owner` (DATABASE_URL, the schema migration only)."
        ),
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
        return login_url(self.login)

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
    resources={
        "postgres": PostgresResource(login="jobs"),
        "maintenance_postgres": PostgresResource(login="maintenance"),
        "schema_postgres": PostgresResource(login="owner"),
    }
)
