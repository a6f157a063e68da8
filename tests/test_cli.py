"""The command line's contract for mistakes: one clear line, non-zero exit, nothing changed."""

from __future__ import annotations

import socket

import pytest

from tests.cli import assert_one_clear_line, prometric


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # released at once: nothing listens there


def test_unknown_subcommand(cli_env):
    result = prometric("frobnicate", env=cli_env)
    assert result.returncode == 2
    assert_one_clear_line(result, "invalid choice: 'frobnicate'", "prometric --help")


def test_unknown_db_action(cli_env):
    result = prometric("db", "explode", env=cli_env)
    assert result.returncode == 2
    assert_one_clear_line(result, "invalid choice: 'explode'", "start", "migrate")


def test_missing_subcommand(cli_env):
    result = prometric(env=cli_env)
    assert result.returncode == 2
    assert_one_clear_line(result, "required")


@pytest.mark.parametrize("action", ["migrate", "status"])
def test_unreachable_database_url(cli_env, action):
    port = closed_port()
    env = {**cli_env, "DATABASE_URL": f"postgresql://erp:s3cret@127.0.0.1:{port}/erp"}
    result = prometric("db", action, env=env)
    assert result.returncode == 1
    assert_one_clear_line(result, "cannot connect to PostgreSQL", f"127.0.0.1:{port}/erp", "Connection refused")
    assert "s3cret" not in result.stderr  # the password is never echoed


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("not a url", "is not a database URL"),
        ("mysql://erp@localhost/erp", "must point at PostgreSQL"),
        ("postgresql://erp@localhost", "names no database"),
    ],
)
def test_malformed_database_url(cli_env, url, fragment):
    result = prometric("db", "migrate", env={**cli_env, "DATABASE_URL": url})
    assert_one_clear_line(result, fragment)


def test_with_database_url_nothing_embedded_is_started(cli_env, database_url, tmp_path):
    url = database_url.render_as_string(hide_password=False)
    env = {**cli_env, "DATABASE_URL": url}
    for action, expected in [("start", "nothing to start"), ("stop", "nothing to stop")]:
        result = prometric("db", action, env=env)
        assert result.returncode == 0 and expected in result.stdout
    status = prometric("db", "status", env=env)
    assert status.returncode == 0 and "reachable" in status.stdout
    assert prometric("db", "url", env=env).stdout.strip() == url
    assert not (tmp_path / "prometric-home" / "pgdata").exists()


def test_bad_port_setting_is_one_line(cli_env):
    result = prometric("demo", env={**cli_env, "PROMETRIC_UI_PORT": "http"})
    assert_one_clear_line(result, "PROMETRIC_UI_PORT='http' is not a TCP port")


def test_demo_refuses_a_busy_port_before_starting_anything(cli_env, tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = prometric("demo", env={**cli_env, "PROMETRIC_UI_PORT": str(port)})
    assert_one_clear_line(result, f"port {port} is already in use", "PROMETRIC_UI_PORT")
    assert not (tmp_path / "prometric-home" / "pgdata").exists()  # no database was started
