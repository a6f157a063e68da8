"""Connections for maintenance commands that PostgreSQL refuses inside a transaction block."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from prometric_pipelines.errors import PrometricError


@contextmanager
def autocommit(engine: Engine, *, lock_timeout_seconds: float | None = None) -> Iterator[Connection]:
    """A connection in autocommit mode (VACUUM, REINDEX CONCURRENTLY, CREATE DATABASE).

    `lock_timeout_seconds` bounds how long a command waits for its table lock, so a maintenance
    command queued behind a long transaction gives up instead of making every later reader queue
    behind it."""
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        if lock_timeout_seconds is not None:
            timeout = f"{lock_timeout_seconds}s"
            conn.execute(text("SELECT set_config('lock_timeout', :value, false)"), {"value": timeout})
        try:
            yield conn
        finally:
            if lock_timeout_seconds is not None and not conn.invalidated:
                with suppress(DBAPIError):  # the connection goes back to the pool with the default
                    conn.execute(text("RESET lock_timeout"))


def is_lock_timeout(error: BaseException) -> bool:
    """Whether a DBAPI error is PostgreSQL's lock_timeout (SQLSTATE 55P03)."""
    return getattr(getattr(error, "orig", None), "sqlstate", None) == "55P03"


def require_maintain_privilege(conn: Connection) -> None:
    """One clear error instead of PostgreSQL skipping tables with a warning: VACUUM, ANALYZE and REINDEX
    need the table's owner, or membership in pg_maintain (PostgreSQL 17+), which the migrations give
    `prometric_maintenance`."""
    from prometric_pipelines.sql import load_sql

    refused = list(conn.execute(load_sql("maintenance", "unmaintainable_tables")).scalars())
    if refused:
        user = conn.execute(text("SELECT current_user")).scalar_one()
        version = conn.execute(text("SHOW server_version")).scalar_one()
        raise PrometricError(
            f"{user} may not VACUUM, ANALYZE or REINDEX {len(refused)} table(s) ({', '.join(refused[:5])}"
            f"{', …' if len(refused) > 5 else ''}) on PostgreSQL {version}: that needs pg_maintain "
            "(PostgreSQL 17+) or the tables' owner; nothing was done (docs/security.md, Logins)"
        )
