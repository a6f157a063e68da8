"""The one way code reaches the operational database: a URL and a SQLAlchemy engine."""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import DBAPIError

from prometric_pipelines.config import display_url, external_database_url
from prometric_pipelines.db.embedded import embedded_server
from prometric_pipelines.errors import DatabaseUnavailable


def database_url(*, start_embedded: bool = True) -> URL:
    """`DATABASE_URL` when set; otherwise the embedded server's, started on demand."""
    url = external_database_url()
    if url is not None:
        return url
    server = embedded_server()
    if start_embedded:
        server.start()
    return server.url()


def create_db_engine(url: URL | str | None = None, **engine_options: object) -> Engine:
    """An engine with connection checks on checkout and every session in UTC.

    The schema's timestamps are UTC `timestamp without time zone`; pinning the session time
    zone keeps `CURRENT_TIMESTAMP` defaults and local-day conversions right whatever the
    server's own `timezone` setting is.
    """
    return create_engine(
        url if url is not None else database_url(),
        pool_pre_ping=True,
        connect_args={"connect_timeout": 10, "application_name": "prometric", "options": "-c timezone=UTC"},
        **engine_options,
    )


def describe_connection_error(error: DBAPIError, url: URL) -> str:
    """One line saying which database could not be reached and why (psycopg's first line)."""
    reason = str(error.orig).strip().splitlines()[0] if error.orig is not None else str(error)
    reason = reason.removeprefix("connection failed: ")
    return f"cannot connect to PostgreSQL at {display_url(url)}: {reason}"


def check_connection(engine: Engine) -> str:
    """Returns the server version; raises DatabaseUnavailable with a one-line message."""
    try:
        with engine.connect() as conn:
            return conn.execute(text("SHOW server_version")).scalar_one()
    except DBAPIError as error:
        raise DatabaseUnavailable(describe_connection_error(error, engine.url)) from None
