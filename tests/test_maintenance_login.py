"""Maintenance connects as `prometric_maintenance`, never as the owner, and that login holds no more than it
needs (docs/security.md, "The maintenance login").

The ANALYZE, VACUUM, REINDEX and health assets run as this login in tests/test_maintenance.py, the backup
and the restore check in tests/test_backups.py. Here: every session of the backup and restore-check jobs,
run with the code location's own resources, is `current_user = prometric_maintenance`; what the login
cannot do; a backup refuses when a table would hide rows from it; and no command falls back to the
owner's URL on an operator's server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import psycopg
import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import URL, Engine

from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.db.roles import MAINTENANCE_ROLE
from prometric_pipelines.definitions import defs
from prometric_pipelines.errors import PrometricError
from prometric_pipelines.maintenance.backup import back_up, list_backups
from prometric_pipelines.sql import load_sql
from tests.cli import assert_one_clear_line, prometric
from tests.factories import make_tenant
from tests.operator import operator_env
from tests.test_jobs_login import SessionUsers


@pytest.fixture
def owner_database(databases, template_database, request) -> Iterator[tuple[URL, Engine]]:
    url = databases.create(f"maintlogin_{request.node.name}"[:40], template=template_database)
    engine = create_db_engine(url)
    with engine.begin() as conn:
        make_tenant(conn)
    yield url, engine
    engine.dispose()
    databases.drop(url)


@pytest.fixture
def maintenance(owner_database, server_logins) -> Iterator[Engine]:
    _url, engine = owner_database
    login = server_logins(engine)[MAINTENANCE_ROLE]
    maintenance = create_db_engine(login)
    yield maintenance
    maintenance.dispose()


def test_the_backup_and_the_restore_check_connect_as_the_maintenance_login(owner_database, tmp_path, monkeypatch):
    url, engine = owner_database
    for variable, value in operator_env({}, url).items():
        if variable.endswith("DATABASE_URL"):  # the owner's URL is there too: a job reaching for it is seen
            monkeypatch.setenv(variable, value)
    monkeypatch.setenv("ARCHIVE_URL", str(tmp_path / "archive"))
    recorder = SessionUsers()
    event.listen(Engine, "connect", recorder)
    try:
        with dg.DagsterInstance.ephemeral() as instance:
            backup = defs.resolve_job_def("database_backup_job").execute_in_process(instance=instance)
            check = defs.resolve_job_def("backup_restore_check_job").execute_in_process(instance=instance)
    finally:
        event.remove(Engine, "connect", recorder)

    assert backup.success and check.success
    assert set(recorder.users) == {MAINTENANCE_ROLE}, recorder.users
    (evaluation,) = check.get_asset_check_evaluations()
    assert evaluation.passed and evaluation.metadata["mismatches"].value == "none"
    dump = Path(backup.asset_materializations_for_node("database_backup")[0].metadata["path"].value)
    manifest = json.loads(dump.with_suffix(".json").read_text())
    with engine.connect() as conn:
        organizations = conn.execute(text("SELECT count(*) FROM organizations")).scalar_one()
    # the login read every row through its policies (a login RLS hid rows from would count 0 here)
    assert manifest["tables"]["organizations"] == organizations == 1
    assert manifest["tables"]["security_tenant_keys"] == 0  # left out, and not readable by the login


def test_the_maintenance_login_cannot_write_data_read_tenant_keys_or_drop_a_valid_index(maintenance):
    with maintenance.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM organizations")).scalar_one() == 1  # reads, every tenant
        for statement in (
            "SELECT key FROM security_tenant_keys",
            "UPDATE organizations SET name = 'x'",
            "INSERT INTO kpi_definitions (name, formula) VALUES ('x', 'orders_count')",
            "DELETE FROM audit_logs",
            "UPDATE users SET role = 'owner'",
            "DROP INDEX orders_pkey",
            "ALTER TABLE orders ADD COLUMN x int",
        ):
            with pytest.raises(Exception, match=r"permission denied|must be owner") as refused:
                conn.execute(text(statement))
            assert isinstance(refused.value.orig, psycopg.errors.InsufficientPrivilege), statement
            conn.rollback()
        # the definer function drops only an invalid copy a failed rebuild left, never a valid index
        assert conn.execute(text("SELECT prometric_drop_invalid_index('public.orders_pkey')")).scalar_one() is False
        assert conn.execute(text("SELECT count(*) FROM pg_class WHERE relname = 'orders_pkey'")).scalar_one() == 1


def test_a_backup_refuses_when_a_table_would_hide_rows_from_the_maintenance_login(
    owner_database, maintenance, tmp_path
):
    _url, engine = owner_database
    with engine.begin() as conn:  # a table added without the login's policy, e.g. by a careless migration
        conn.execute(text("CREATE TABLE hidden_probe (id int PRIMARY KEY)"))
        conn.execute(text("INSERT INTO hidden_probe VALUES (1), (2)"))
        conn.execute(text("ALTER TABLE hidden_probe ENABLE ROW LEVEL SECURITY"))
    archive = tmp_path / "archive"

    with pytest.raises(
        PrometricError, match="backup refused: prometric_maintenance would not see every row of hidden_probe"
    ):
        back_up(maintenance, run_key="test", archive_url=str(archive))
    assert not list_backups(archive / "backups" / maintenance.url.database)  # nothing written

    with engine.begin() as conn:
        conn.execute(
            text("CREATE POLICY maintenance_read ON hidden_probe FOR SELECT TO prometric_maintenance USING (true)")
        )
    result = back_up(maintenance, run_key="test", archive_url=str(archive))
    assert result.backup.manifest["tables"]["hidden_probe"] == 2


def test_on_an_operators_server_no_command_falls_back_to_the_owner(owner_database, cli_env):
    url, _engine = owner_database
    env = operator_env(cli_env, url)
    for variable, command in (
        ("JOBS_DATABASE_URL", ("run", "metrics", "--from", "2026-01-01")),
        ("JOBS_DATABASE_URL", ("audit", "verify")),
        ("MAINTENANCE_DATABASE_URL", ("db", "health")),
    ):
        without = {k: v for k, v in env.items() if k != variable}
        result = prometric(*command, env=without)
        assert result.returncode != 0, command
        assert_one_clear_line(result, f"DATABASE_URL is set but {variable} is not")
    health = prometric("db", "health", env=env)  # with its login it works
    assert health.returncode == 0, health.stderr


def test_the_maintenance_login_holds_exactly_the_built_in_roles_it_needs(maintenance):
    with maintenance.connect() as conn:
        major = int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000
        built_in = set(
            conn.execute(
                text("""SELECT rolname FROM pg_roles
                        WHERE rolname LIKE 'pg\\_%' AND pg_has_role(current_user, oid, 'MEMBER')""")
            ).scalars()
        )
        attributes = conn.execute(
            text("SELECT rolcreatedb, rolbypassrls, rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user")
        ).one()
    assert built_in == {"pg_read_all_stats", "pg_signal_backend"} | ({"pg_maintain"} if major >= 17 else set())
    assert tuple(attributes) == (True, False, False, False)  # CREATEDB for the restore check, nothing more


def test_no_table_hides_rows_from_the_maintenance_login(owner_database, maintenance):
    """Every table under row-level security at the head revision has the login's read policy, and so does a
    month partition of audit_logs the archive creates later: a table without it would make every backup
    refuse (or, without the check, silently miss rows)."""
    _url, engine = owner_database
    with engine.begin() as conn:
        conn.execute(text("SELECT prometric_audit_month_partition('2031-01-01')"))
    with maintenance.connect() as conn:
        hidden = conn.execute(load_sql("maintenance", "rls_hidden_tables"), {"skipped": ["security_tenant_keys"]})
        assert list(hidden.scalars()) == []
        protected = conn.execute(text("SELECT count(*) FROM pg_class WHERE relrowsecurity")).scalar_one()
    assert protected > 40  # the check looked at the ERP's tables, not at an empty list
