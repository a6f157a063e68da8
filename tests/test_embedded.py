"""`prometric db start|stop|status|url` with the embedded server: a real PostgreSQL that persists."""

from __future__ import annotations

import contextlib
import io
import os
import pwd
import re
import shutil
import socket
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from prometric_pipelines.cli import main
from tests.cli import CliResult, prometric


def run_lifecycle(run: Callable[..., CliResult]) -> None:
    status = run("db", "status")
    assert status.returncode == 3 and "not initialised" in status.stdout

    started = run("db", "start")
    assert started.returncode == 0, started.stderr
    assert " started: postgresql://" in started.stdout
    assert "***" in started.stdout  # the password is not shown in messages
    url = run("db", "url").stdout.strip()
    assert re.fullmatch(r"postgresql://postgres:[\w-]{32}@127\.0\.0\.1:\d+/prometric", url), url
    # a password is required over TCP: any account of the machine could reach 127.0.0.1
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(re.sub(r":[\w-]{32}@", "@", url)).close()
    pid = re.search(r"pid (\d+)", run("db", "status").stdout).group(1)

    again = run("db", "start")
    assert "already running" in again.stdout
    assert re.search(r"pid (\d+)", run("db", "status").stdout).group(1) == pid

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE kept (note text)")
        conn.execute("INSERT INTO kept VALUES ('survives a restart')")
        assert conn.execute("SHOW timezone").fetchone()[0] == "UTC"

    assert "stopped" in run("db", "stop").stdout
    assert run("db", "start").returncode == 0
    assert run("db", "url").stdout.strip() == url  # same port after a restart
    assert "stopped" in run("db", "stop").stdout
    assert run("db", "status").returncode == 3
    assert "was not running" in run("db", "stop").stdout

    # while stopped, something else takes the port: the next start moves, the data stays
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        restarted = run("db", "start")
        assert restarted.returncode == 0, restarted.stderr
        new_url = run("db", "url").stdout.strip()
        assert new_url != url
        with psycopg.connect(new_url) as conn:
            assert conn.execute("SELECT note FROM kept").fetchone() == ("survives a restart",)
    assert run("db", "stop").returncode == 0


def test_embedded_lifecycle_through_the_command(cli_env):
    """The real `prometric` processes; as root the server runs as the `embedded_postgres` account."""
    home = Path(tempfile.mkdtemp(prefix="prometric-embedded-", dir="/tmp"))
    env = {**cli_env, "PROMETRIC_HOME": str(home)}
    try:
        run_lifecycle(lambda *args: prometric(*args, env=env))
        expected_owner = pwd.getpwnam("embedded_postgres").pw_uid if os.geteuid() == 0 else os.geteuid()
        assert (home / "pgdata").stat().st_uid == expected_owner
    finally:
        prometric("db", "stop", env=env)
        shutil.rmtree(home, ignore_errors=True)


def in_process(*args: str) -> CliResult:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exit_:
            code = exit_.code
    return CliResult(code, out.getvalue(), err.getvalue())


def test_embedded_lifecycle_as_an_ordinary_user(cli_env):
    """A non-root account runs the server itself (no account switch).

    As root we fork and drop to `nobody` (the interpreter may live where `nobody` cannot exec
    it, e.g. under /root, so the child keeps running this already-loaded Python); as an
    ordinary user the current account is that user.
    """
    home = Path(tempfile.mkdtemp(prefix="prometric-embedded-user-", dir="/tmp"))
    account = pwd.getpwnam("nobody") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
    os.chown(home, account.pw_uid, account.pw_gid)
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # the ordinary user
        os.close(read_end)
        report = "ok"
        try:
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(account.pw_gid)
                os.setuid(account.pw_uid)
            os.environ.update({"PROMETRIC_HOME": str(home / "state"), "HOME": str(home)})
            os.environ.pop("DATABASE_URL", None)
            run_lifecycle(in_process)
            if (home / "state" / "pgdata").stat().st_uid != account.pw_uid:
                report = "the data directory is not owned by the ordinary user"
        except BaseException:
            report = traceback.format_exc()
        finally:
            in_process("db", "stop")
            os.write(write_end, report.encode())
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        report = pipe.read()
    os.waitpid(child, 0)
    shutil.rmtree(home, ignore_errors=True)
    assert report == "ok", report


@pytest.mark.parametrize("action", ["url"])
def test_url_of_a_stopped_server_says_how_to_start_it(cli_env, tmp_path, action):
    result = prometric("db", action, env=cli_env)
    assert result.returncode == 1
    assert "not running" in result.stderr and "prometric db start" in result.stderr
    assert "Traceback" not in result.stderr
