"""Bad input to every command: one clear line, the documented exit code, and the database unchanged.

"Unchanged" is checked with `database_checksum` (every table's rows) and `schema_fingerprint` (the
catalog) before and after each command, on a migrated database holding two tenants' data.
"""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import text

from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.db.migrate import migrate
from prometric_pipelines.db.roles import READER_ROLE
from tests.checksums import database_checksum, schema_fingerprint
from tests.cli import assert_one_clear_line, prometric
from tests.factories import make, make_tenant
from tests.operator import operator_env


@pytest.fixture(scope="module")
def populated(engine):
    with engine.begin() as conn:
        for _ in range(2):
            tenant = make_tenant(conn)
            make(conn, "order_items", orderId=make(conn, "orders", organizationId=tenant["organization"]["id"],
                                                   workspaceId=tenant["workspace"]["id"])["id"])  # fmt: skip
    return engine


def fingerprint(engine) -> tuple:
    with engine.connect() as conn:
        return database_checksum(conn), schema_fingerprint(conn)


@pytest.fixture
def env_for(cli_env, database_url):
    return operator_env(cli_env, database_url)


USAGE_MISTAKES = [
    (("db", "migrate", "--force"), "unrecognized arguments: --force"),
    (("db", "start", "now"), "unrecognized arguments: now"),
    (("db", "status", "--verbose"), "unrecognized arguments: --verbose"),
    (("db", "stop", "-m", "immediate"), "unrecognized arguments"),
    (("db", "url", "--reader"), "unrecognized arguments: --reader"),
    (("db", "drop"), "invalid choice: 'drop'"),
    (("ui", "--port", "0"), "argument --port: port 0 is not a TCP port (1-65535)"),
    (("ui", "--port", "http"), "argument --port: port 'http' is not a TCP port (1-65535)"),
    (("ui", "--port", "70000"), "argument --port: port 70000 is not a TCP port (1-65535)"),
    (("ui", "--port"), "argument --port: expected one argument"),
    (("dashboards", "--port", "-1"), "argument --port: port -1 is not a TCP port (1-65535)"),
    (("dashboards", "--port", ""), "argument --port: port '' is not a TCP port (1-65535)"),
    (("dashboards", "--port", "8501; rm -rf /"), "is not a TCP port"),
    (("demo", "--org", "acme"), "unrecognized arguments: --org acme"),
    (("generate", "--scale", "huge"), "argument --scale: invalid choice: 'huge'"),
    (("generate", "--orgs", "0"), "argument --orgs: --orgs must be at least 1 (got 0)"),
    (("generate", "--orgs", "two"), "argument --orgs: --orgs 'two' is not a whole number"),
    (("generate", "--days", "99999"), "argument --days: --days must be at most 3650 (got 99999)"),
    (("generate", "--start", "2026-13-01"), "argument --start: --start '2026-13-01' is not a date (YYYY-MM-DD)"),
    (("generate", "--start", "2999-01-01"), "argument --start: --start 2999-01-01 is in the future"),
    (("generate", "--seed", "-3"), "argument --seed: --seed must be at least 1 (got -3)"),
    (("generate", "--append", "--reset"), "argument --reset: not allowed with argument --append"),
]


@pytest.mark.parametrize(("args", "fragment"), USAGE_MISTAKES, ids=[" ".join(a) for a, _ in USAGE_MISTAKES])
def test_usage_mistakes_exit_2_and_change_nothing(populated, env_for, args, fragment):
    before = fingerprint(populated)
    result = prometric(*args, env=env_for)
    assert result.returncode == 2
    assert_one_clear_line(result, fragment)
    assert result.stdout == ""
    assert fingerprint(populated) == before


@pytest.mark.parametrize("command", ["ui", "dashboards"])
def test_a_busy_port_is_refused_before_anything_starts(populated, env_for, command):
    before = fingerprint(populated)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = prometric(command, "--port", str(port), env=env_for)
    assert result.returncode == 1
    assert_one_clear_line(result, f"port {port} is already in use")
    assert fingerprint(populated) == before


@pytest.mark.parametrize("action", ["start", "stop", "status", "url", "migrate"])
def test_a_malformed_database_url_for_every_db_action(populated, cli_env, action):
    before = fingerprint(populated)
    result = prometric("db", action, env={**cli_env, "DATABASE_URL": "mysql://erp@localhost/erp"})
    assert result.returncode == 1
    assert_one_clear_line(result, "DATABASE_URL must point at PostgreSQL")
    assert fingerprint(populated) == before


def test_migrate_on_a_read_only_database_changes_nothing(databases, template_database, cli_env):
    url = databases.create("read_only", template=template_database)
    owner = create_db_engine(url)
    with owner.begin() as conn:
        conn.execute(text("DELETE FROM alembic_version"))  # looks unmigrated: migrate will try to write
        conn.execute(text(f'ALTER DATABASE "{url.database}" SET default_transaction_read_only = on'))
    owner.dispose()
    owner = create_db_engine(url)
    before = fingerprint(owner)
    result = prometric("db", "migrate", env={**cli_env, "DATABASE_URL": url.render_as_string(hide_password=False)})
    assert result.returncode == 1
    assert_one_clear_line(result, "read-only transaction")
    assert fingerprint(owner) == before
    owner.dispose()
    databases.drop(url)


def test_migrate_as_the_reader_is_refused_and_changes_nothing(databases, cli_env, server_logins):
    url = databases.create("as_reader")
    owner = create_db_engine(url)
    migrate(owner, "20261125094731")  # the baseline only: the security migration is pending
    migrate(owner)  # roles must exist to log in as one …
    logins = server_logins(owner)
    from prometric_pipelines.db.migrate import downgrade

    downgrade(owner, "20261125094731")  # … then it is pending again (the roles stay: they have LOGIN)
    before = fingerprint(owner)
    reader_url = logins[READER_ROLE].render_as_string(hide_password=False)
    result = prometric("db", "migrate", env={**cli_env, "DATABASE_URL": reader_url})
    assert result.returncode == 1
    assert_one_clear_line(result, "permission denied")
    assert logins[READER_ROLE].password not in result.stderr
    assert fingerprint(owner) == before
    owner.dispose()
    databases.drop(url)


def test_generate_into_a_database_with_data_is_refused_and_changes_nothing(populated, env_for):
    before = fingerprint(populated)
    result = prometric("generate", "--days", "10", env=env_for)
    assert result.returncode == 1
    assert_one_clear_line(result, "the database already holds", "--append", "--reset")
    assert fingerprint(populated) == before


def test_generate_a_history_ending_in_the_future_is_refused(populated, env_for):
    before = fingerprint(populated)
    result = prometric("generate", "--start", "2026-01-01", "--days", "3000", env=env_for)
    assert result.returncode == 1
    assert_one_clear_line(result, "after today", "--start", "--days")
    assert fingerprint(populated) == before
