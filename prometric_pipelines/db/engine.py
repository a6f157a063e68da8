"""The one way code reaches the operational database: a URL and a SQLAlchemy engine."""

from __future__ import annotations

import time

import psycopg
from sqlalchemy import create_engine, event, text
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


# A killed client's server process would otherwise keep waiting for (and then holding) its locks until
# it next writes to the closed socket: from PostgreSQL 14 it polls the socket this often while it runs
# a statement, a lock wait included, and ends (rolling back) once the client is gone.
CLIENT_CONNECTION_CHECK_INTERVAL = "2s"
CLIENT_CONNECTION_CHECK_SINCE = 140000  # server_version_num of PostgreSQL 14

_own_backend_pids: set[int] = set()


def prepare_session(connection: psycopg.Connection) -> None:
    """Settings of every session this program opens (see CLIENT_CONNECTION_CHECK_INTERVAL), and its
    server process id noted, so a waiting run can say which of its own sessions waits for what."""
    _own_backend_pids.add(connection.info.backend_pid)
    if connection.info.server_version >= CLIENT_CONNECTION_CHECK_SINCE:
        connection.execute(f"SET client_connection_check_interval = '{CLIENT_CONNECTION_CHECK_INTERVAL}'")
        if not connection.autocommit:
            connection.commit()


def own_backend_pids() -> frozenset[int]:
    """Server process ids of the sessions this process has opened (some may have ended since)."""
    return frozenset(_own_backend_pids)


def startup_options(lock_timeout_seconds: float | None = None) -> str:
    """libpq `options` of a session: UTC, and a bound on every lock wait when given (RESET keeps it)."""
    options = "-c timezone=UTC"
    if lock_timeout_seconds:
        options += f" -c lock_timeout={round(lock_timeout_seconds * 1000)}"
    return options


CONNECT_ATTEMPTS = 4
CONNECT_BACKOFF_SECONDS = 0.25  # then 0.5, 1.0: a database restarting for a second or two is waited for


def create_db_engine(
    url: URL | str | None = None,
    *,
    connect_attempts: int = CONNECT_ATTEMPTS,
    connect_backoff: float = CONNECT_BACKOFF_SECONDS,
    lock_timeout_seconds: float | None = None,
    **engine_options: object,
) -> Engine:
    """An engine with connection checks on checkout, bounded connect retries, every session in UTC.

    The schema's timestamps are UTC `timestamp without time zone`; pinning the session time
    zone keeps `CURRENT_TIMESTAMP` defaults and local-day conversions right whatever the
    server's own `timezone` setting is. A new connection that fails (server restarting, too many
    clients) is tried `connect_attempts` times with doubling pauses before the error surfaces
    (as DatabaseUnavailable through check_connection). `lock_timeout_seconds` bounds every lock wait of
    its sessions (jobs: PostgresResource); a killed client's sessions end within seconds
    (prepare_session).
    """
    engine = create_engine(
        url if url is not None else database_url(),
        pool_pre_ping=True,
        connect_args={
            "connect_timeout": 10,
            "application_name": "prometric",
            "options": startup_options(lock_timeout_seconds),
        },
        **engine_options,
    )

    @event.listens_for(engine, "do_connect")
    def _connect_with_retries(dialect, conn_rec, cargs, cparams):
        pause = connect_backoff
        for attempt in range(1, connect_attempts + 1):
            try:
                return dialect.loaded_dbapi.connect(*cargs, **cparams)
            except psycopg.OperationalError as error:
                # a wrong password or database will not heal by waiting: give up at once
                if attempt == connect_attempts or _is_permanent(error):
                    raise
                time.sleep(pause)
                pause *= 2
        raise AssertionError("unreachable")

    @event.listens_for(engine, "connect")
    def _prepare(dbapi_connection, connection_record):
        prepare_session(dbapi_connection)

    return engine


# libpq reports connection-phase errors without a SQLSTATE: these won't heal by waiting
_PERMANENT = ("password authentication failed", "does not exist", "no pg_hba.conf entry", "permission denied")


def _is_permanent(error: psycopg.OperationalError) -> bool:
    if error.sqlstate is not None:
        return error.sqlstate[:2] in ("28", "3D")  # authorization, unknown database
    return any(fragment in str(error) for fragment in _PERMANENT)


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
