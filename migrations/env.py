"""Alembic environment: runs migrations on one connection under a PostgreSQL advisory lock."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from prometric_pipelines.db.migrate import MIGRATION_LOCK_KEY, compare_options
from prometric_pipelines.db.schema import metadata

config = context.config
external_connection: Connection | None = config.attributes.get("connection")

if config.config_file_name and external_connection is None:
    fileConfig(config.config_file_name)  # the `alembic` command line; library callers keep their logging


def run_migrations(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, **compare_options())
    with context.begin_transaction():
        # Serialises concurrent migrators; the loser then sees the winner's revision and does
        # nothing. Transaction-scoped and re-entrant, so a caller may already hold it.
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported: run them against a database")

if external_connection is not None:
    run_migrations(external_connection)
else:
    from prometric_pipelines.db.engine import create_db_engine

    engine = create_db_engine()
    with engine.connect() as connection:
        run_migrations(connection)
    engine.dispose()
