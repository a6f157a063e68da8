"""The resource types every domain uses: the database (`PostgresResource`, one instance per login) and the
archive storage (`ArchiveResource`). `defs/resources.py` binds them, fed by `dagster.EnvVar` where the
environment sets a value."""

import dagster as dg
from pydantic import Field, PrivateAttr
from sqlalchemy.engine import URL, Engine

from prometric_pipelines.audit.storage import Archive
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


class ArchiveResource(dg.ConfigurableResource):
    """Where audit archives and database backups go: a local folder or an S3-compatible bucket."""

    url: str | None = Field(
        default=None,
        description="ARCHIVE_URL: a path, file://… or s3://bucket/prefix; empty: <PROMETRIC_HOME>/archive.",
    )

    def archive(self) -> Archive:
        """The audit archive at this location (its store checks the URL when first used)."""
        return Archive.from_url(self.url or None)

    def location_url(self) -> str | None:
        """The URL backups take (None: the default location)."""
        return self.url or None
