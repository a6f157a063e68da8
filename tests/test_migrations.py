"""Alembic: the baseline builds exactly the models, downgrades cleanly, and migrators don't race."""

from __future__ import annotations

import re
import subprocess
import sys

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from prometric_pipelines.config import PROJECT_ROOT
from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.db.migrate import (
    compare_options,
    count_tables,
    current_revision,
    downgrade,
    head_revision,
    migrate,
)
from prometric_pipelines.db.schema import ERP_TABLES, PLATFORM_TABLES, metadata


def schema_drift(engine) -> list:
    with engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn, opts=compare_options()), metadata)


def test_upgrade_builds_exactly_the_models_and_downgrade_undoes_it(empty_database_url):
    engine = create_db_engine(empty_database_url)
    first = migrate(engine)
    assert first.revision_before is None
    assert first.revision == head_revision()
    assert first.applied[-1] == head_revision()
    assert first.table_count == len(metadata.tables) == len(ERP_TABLES) + len(PLATFORM_TABLES)
    assert schema_drift(engine) == []

    down = downgrade(engine, "base")
    assert down.revision is None and down.table_count == 0
    with engine.connect() as conn:
        assert current_revision(conn) is None
        assert count_tables(conn) == 0

    again = migrate(engine)
    assert again.revision == head_revision() and again.table_count == len(metadata.tables)
    assert schema_drift(engine) == []

    # the drift check is live: it sees a dropped index and a changed default
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX idx_orders_status"))
        conn.execute(text("ALTER TABLE products ALTER COLUMN unit SET DEFAULT 'kg'"))
    kinds = sorted(d[0][0] if isinstance(d, list) else d[0] for d in schema_drift(engine))
    assert kinds == ["add_index", "modify_default"]
    engine.dispose()


def test_second_migrate_is_a_no_op(empty_database_url):
    engine = create_db_engine(empty_database_url)
    migrate(engine)
    with engine.connect() as conn:
        objects_before = conn.execute(text("SELECT count(*) FROM pg_class")).scalar_one()
    second = migrate(engine)
    assert second.applied == [] and second.revision_before == second.revision == head_revision()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM pg_class")).scalar_one() == objects_before
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
    engine.dispose()


def test_cli_migrate_twice_then_concurrently(empty_database_url, cli_env, databases):
    env = {**cli_env, "DATABASE_URL": empty_database_url.render_as_string(hide_password=False)}
    prometric = [sys.executable, "-m", "prometric_pipelines.cli", "db", "migrate"]
    first = subprocess.run(prometric, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("migrated (empty) -> ") and f"{len(metadata.tables)} tables" in first.stdout
    second = subprocess.run(prometric, env=env, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith(f"already at {head_revision()}: nothing to apply")

    # four migrators racing on another empty database: exactly one applies, none fails
    racing_url = databases.create("migrate_race")
    env["DATABASE_URL"] = racing_url.render_as_string(hide_password=False)
    racers = [
        subprocess.Popen(prometric, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    outcomes = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in racers]
    assert [code for code, _, _ in outcomes] == [0, 0, 0, 0], outcomes
    assert sum(out.startswith("migrated") for _, out, _ in outcomes) == 1, outcomes
    assert sum(out.startswith("already at") for _, out, _ in outcomes) == 3, outcomes
    engine = create_db_engine(racing_url)
    assert schema_drift(engine) == []
    engine.dispose()
    databases.drop(racing_url)


def test_migration_files_follow_the_naming_convention_and_can_go_down():
    files = sorted((PROJECT_ROOT / "migrations" / "versions").glob("*.py"))
    assert files
    for path in files:
        assert re.fullmatch(r"\d{14}_[a-z0-9_]+\.py", path.name), path.name
        source = path.read_text()
        downgrade_body = source.split("def downgrade() -> None:", 1)[1]
        assert downgrade_body.strip() not in ("", "pass"), f"{path.name} has no downgrade"
