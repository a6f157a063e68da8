"""Applying the operational schema's Alembic migrations: shared by the CLI and the Dagster asset."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from prometric_pipelines.config import PROJECT_ROOT
from prometric_pipelines.errors import PrometricError
from prometric_pipelines.sql import load_sql

ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"
# Any fixed 64-bit number works; it only has to be the same for every migrator of a database.
MIGRATION_LOCK_KEY = 7_245_100_301_118_215


@dataclass(frozen=True)
class MigrationResult:
    revision_before: str | None
    revision: str | None
    applied: list[str] = field(default_factory=list)
    table_count: int = 0
    seconds: float = 0.0


# the partitions of audit_logs (one per month, and the default one): parts of the table the models
# describe, created and dropped by the archive (docs/schema-notes.md), never compared on their own
_PARTITION = re.compile(r"audit_logs_(y\d{4}m\d{2}|default)")


def _include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    return not (type_ == "table" and name is not None and _PARTITION.fullmatch(name))


def compare_options() -> dict[str, Any]:
    """What autogenerate compares: used by env.py and by the no-drift test alike."""
    return {"compare_type": True, "compare_server_default": True, "include_name": _include_name}


def alembic_config() -> Config:
    if not ALEMBIC_INI.exists():
        raise PrometricError(f"{ALEMBIC_INI} is missing: run prometric from a checkout of the project")
    return Config(str(ALEMBIC_INI))


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def count_tables(connection: Connection) -> int:
    """Tables of the operational schema present (Alembic's bookkeeping table excluded)."""
    return connection.execute(load_sql("schema", "count_tables")).scalar_one()


def _run(engine: Engine, action: str, target: str) -> MigrationResult:
    config = alembic_config()
    script = ScriptDirectory.from_config(config)
    started = time.perf_counter()
    with engine.connect() as connection, connection.begin():
        # Held until commit; env.py takes it again (re-entrant) for `alembic` command-line use.
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
        before = current_revision(connection)
        config.attributes["connection"] = connection
        getattr(command, action)(config, target)
        after = current_revision(connection)
        tables = count_tables(connection)
    upper, lower = (after, before) if action == "upgrade" else (before, after)
    moved = [r.revision for r in script.iterate_revisions(upper, lower)] if after != before else []
    if action == "upgrade":
        moved.reverse()  # in the order they were applied
    return MigrationResult(before, after, moved, tables, time.perf_counter() - started)


def migrate(engine: Engine, target: str = "head") -> MigrationResult:
    """Applies pending migrations up to `target` in one transaction; a no-op when already there."""
    return _run(engine, "upgrade", target)


def downgrade(engine: Engine, target: str = "base") -> MigrationResult:
    return _run(engine, "downgrade", target)
