"""Resources shared by every domain."""

import dagster as dg
from pydantic import Field, PrivateAttr
from sqlalchemy.engine import URL, Engine

from prometric_pipelines.config import normalize_database_url
from prometric_pipelines.db.engine import check_connection, create_db_engine, database_url

# A run waits this long at most for a lock another run (or a person's session) holds: long enough for
# the longest run it may queue behind, short enough that a forgotten session cannot stall jobs for ever.
JOB_LOCK_TIMEOUT_SECONDS = 15 * 60


class PostgresResource(dg.ConfigurableResource):
    """The operational PostgreSQL: the one way assets reach the database.

    Leave `database_url` empty to use `DATABASE_URL`, or the embedded server when that is unset
    (started on demand, so a bare `dagster dev` works too).
    """

    database_url: str | None = Field(
        default=None, description="Overrides DATABASE_URL; empty means DATABASE_URL or the embedded server."
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
        return normalize_database_url(self.database_url) if self.database_url else database_url()

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


defs = dg.Definitions(resources={"postgres": PostgresResource()})
