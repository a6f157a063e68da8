"""The bench scripts' own databases on the configured server (the embedded one, or DATABASE_URL's)."""

from __future__ import annotations

import psycopg
from sqlalchemy.engine import Engine

from prometric_pipelines.config import libpq_url
from prometric_pipelines.db.engine import create_db_engine, database_url
from prometric_pipelines.db.migrate import migrate


def migrated_database(name: str) -> Engine:
    """An engine on database `name`, created when missing (kept between runs) and migrated to head."""
    base = database_url()
    with psycopg.connect(libpq_url(base.set(database="postgres")), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    engine = create_db_engine(base.set(database=name))
    migrate(engine)
    return engine
