"""`prometric db start|stop|status|url` with the embedded server: a real PostgreSQL that persists."""

from __future__ import annotations

import contextlib
import importlib
import io
import multiprocessing
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


def lifecycle_as(uid: int, gid: int, home: str) -> str:
    """Runs in a child process: drops to the account, runs the lifecycle, reports "ok" or why not."""
    try:
        # everything the commands import, imported while we may still read the interpreter's
        # library (an interpreter under /root is closed to `nobody`)
        for module in ("prometric_pipelines.db.embedded", "prometric_pipelines.db.engine", "psycopg", "secrets"):
            importlib.import_module(module)
        in_process("--help")
        if os.geteuid() == 0:
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
        os.environ.update({"PROMETRIC_HOME": f"{home}/state", "HOME": home})
        os.environ.pop("DATABASE_URL", None)
        try:
            run_lifecycle(in_process)
        finally:
            in_process("db", "stop")
        if Path(home, "state", "pgdata").stat().st_uid != uid:
            return "the data directory is not owned by the ordinary user"
        return "ok"
    except BaseException:
        return traceback.format_exc()


def test_embedded_lifecycle_as_an_ordinary_user():
    """A non-root account runs the server itself (no account switch).

    As root the child drops to `nobody`. It is forked from a fresh single-threaded interpreter
    (multiprocessing's forkserver) rather than exec'd, because the interpreter may live where
    `nobody` cannot execute it (e.g. under /root). As an ordinary user, that user runs it.
    """
    home = Path(tempfile.mkdtemp(prefix="prometric-embedded-user-", dir="/tmp"))
    account = pwd.getpwnam("nobody") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
    os.chown(home, account.pw_uid, account.pw_gid)
    try:
        with multiprocessing.get_context("forkserver").Pool(1) as pool:
            report = pool.apply_async(lifecycle_as, (account.pw_uid, account.pw_gid, str(home))).get(timeout=300)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    assert report == "ok", report


def test_url_of_a_stopped_server_says_how_to_start_it(cli_env):
    result = prometric("db", "url", env=cli_env)
    assert result.returncode == 1
    assert "not running" in result.stderr and "prometric db start" in result.stderr
    assert "Traceback" not in result.stderr
