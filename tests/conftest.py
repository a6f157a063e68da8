"""Test harness: a real PostgreSQL for the session, a migrated template, a fresh database per module.

* With `DATABASE_URL` unset, a throw-away embedded server (fsync off) runs under
  `.prometric/test-server` for the session; with it set, that server is used (the role needs
  CREATEDB) and the databases made here are dropped afterwards.
* `template_database` is migrated once per session; `database_url` clones it for each test
  module (`CREATE DATABASE … TEMPLATE …`, tens of milliseconds); `empty_database_url` gives a
  database with no schema at all.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import URL, Engine

from prometric_pipelines.config import PROJECT_ROOT, external_database_url, libpq_url
from prometric_pipelines.db.embedded import EmbeddedPostgres
from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.db.migrate import migrate
from tests.seaweedfs import SeaweedFS

pytest_plugins = ["tests.dashboards_data"]

TEST_SERVER_HOME = PROJECT_ROOT / ".prometric" / "test-server"
_RUN_ID = uuid.uuid4().hex[:8]


def _connect(url: URL) -> psycopg.Connection:
    return psycopg.connect(libpq_url(url), autocommit=True)


class DatabaseFactory:
    """Creates and drops databases on the test server."""

    def __init__(self, admin_url: URL) -> None:
        self.admin_url = admin_url
        self.created: list[str] = []
        with _connect(admin_url) as conn:
            version = int(conn.execute("SHOW server_version_num").fetchone()[0])
        # FILE_COPY clones a small template in ~40 ms against ~70-250 ms for the default
        # WAL_LOG (measured on the embedded server); the option exists from PostgreSQL 15.
        self._clone_strategy = " STRATEGY FILE_COPY" if version >= 150000 else ""

    def create(self, purpose: str, template: str | None = None) -> URL:
        name = f"test_{_RUN_ID}_{purpose}"[:63].lower()
        with _connect(self.admin_url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            clone = f' TEMPLATE "{template}"{self._clone_strategy}' if template else ""
            conn.execute(f'CREATE DATABASE "{name}"{clone}')
        self.created.append(name)
        return self.admin_url.set(database=name)

    def drop(self, url: URL) -> None:
        with _connect(self.admin_url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
        if url.database in self.created:
            self.created.remove(url.database)


@pytest.fixture(scope="session")
def databases() -> Iterator[DatabaseFactory]:
    external = external_database_url()
    server: EmbeddedPostgres | None = None
    started_here = False
    if external is not None:
        admin_url = external
    else:
        server = EmbeddedPostgres(TEST_SERVER_HOME, durable=False)
        started_here = not server.status().running
        status = server.start()
        admin_url = server.url("postgres", port=status.port)
    factory = DatabaseFactory(admin_url)
    yield factory
    for name in list(factory.created):
        factory.drop(admin_url.set(database=name))
    if server is not None and started_here:
        server.stop()


@pytest.fixture(scope="session")
def template_database(databases: DatabaseFactory) -> str:
    """Name of a database migrated to head, to clone from."""
    url = databases.create("template")
    engine = create_db_engine(url)
    migrate(engine)
    engine.dispose()
    return url.database


@pytest.fixture(scope="module")
def database_url(databases: DatabaseFactory, template_database: str, request: pytest.FixtureRequest) -> URL:
    """A migrated database of this test module's own."""
    return databases.create(Path(request.module.__file__).stem.removeprefix("test_"), template=template_database)


@pytest.fixture(scope="module")
def engine(database_url: URL) -> Iterator[Engine]:
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def server_logins() -> Callable[[Engine], dict[str, URL]]:
    """`provision_logins` as `prometric db migrate` runs it, for an owner engine's database: each role's URL
    there. One home keeps the passwords for the whole session (operator_env's too): the logins are
    server-wide, so a home per module would change the passwords under the engines other modules hold."""
    from prometric_pipelines.db.roles import provision_logins
    from tests.operator import LOGINS_HOME

    return lambda owner: provision_logins(owner, LOGINS_HOME)


@pytest.fixture(scope="module")
def reader(engine: Engine, server_logins: Callable[[Engine], dict[str, URL]]) -> Iterator[Engine]:
    """The dashboards' login (prometric_reader) on the module's database, provisioned as `db migrate` does."""
    from prometric_pipelines.db.roles import READER_ROLE

    reader = create_db_engine(server_logins(engine)[READER_ROLE])
    yield reader
    reader.dispose()


@pytest.fixture(scope="module")
def key(engine: Engine) -> str:
    """The tenant key that signs tenant sessions on the module's database."""
    from prometric_pipelines.db.tenancy import read_tenant_key

    with engine.connect() as conn:
        return read_tenant_key(conn)


@pytest.fixture
def empty_database_url(databases: DatabaseFactory, request: pytest.FixtureRequest) -> Iterator[URL]:
    """A database with no tables, dropped after the test."""
    url = databases.create(f"empty_{request.node.name}"[:40])
    yield url
    databases.drop(url)


@pytest.fixture
def dagster_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private local Dagster instance, made the way the CLI makes it (under PROMETRIC_HOME)."""
    from prometric_pipelines.orchestration import dagster_home as make_dagster_home

    monkeypatch.setenv("PROMETRIC_HOME", str(tmp_path / "prometric-home"))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    return make_dagster_home()


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    """Environment for running `prometric` in a subprocess, isolated from the developer's state."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DAGSTER_HOME")}
    env["PROMETRIC_HOME"] = str(tmp_path / "prometric-home")
    return env


@pytest.fixture(autouse=True)
def _keep_the_main_module(monkeypatch: pytest.MonkeyPatch) -> None:
    """Streamlit's AppTest runs the app as `sys.modules["__main__"]`. Left there, every later multiprocessing
    spawn/forkserver child of this pytest process re-runs streamlit_app.py as its main module and dies, and
    a Pool waits for ever (tests/test_embedded.py's forkserver test did, after the dashboards tests)."""
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])


# ---- archive storage: a local folder and a real S3-compatible server ---------------------------------


@dataclass(frozen=True)
class StoreUnderTest:
    """An ARCHIVE_URL to run a test against, and the environment a subprocess needs to reach it."""

    kind: str  # "local" or "s3"
    url: str
    env: dict[str, str]


@pytest.fixture(scope="session")
def seaweedfs() -> Iterator[SeaweedFS]:
    """One SeaweedFS (`weed mini`) for the session: free ports of 18300-18399, a temporary folder."""
    server = SeaweedFS().start()
    yield server
    server.stop()


def store_under_test(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> StoreUnderTest:
    if kind == "local":
        return StoreUnderTest("local", str(tmp_path / "archive"), {})
    server: SeaweedFS = request.getfixturevalue("seaweedfs")
    monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
    for name, value in server.environment().items():
        monkeypatch.setenv(name, value)
    return StoreUnderTest("s3", f"s3://{server.create_bucket()}/prometric", server.environment())


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreUnderTest:
    """The same test against a local folder and against a bucket of the session's SeaweedFS."""
    return store_under_test(request.param, request, tmp_path)
