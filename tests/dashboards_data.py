"""Shared set-up of the dashboards' tests: one database with `demo`-scale data and the jobs run once
(metrics for every generated day, payroll for the last generated months, one reconciliation), real
reader/jobs logins, and the environment the app reads them from."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL, Engine

from prometric_pipelines.config import libpq_url
from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.db.roles import READER_ROLE, provision_logins
from prometric_pipelines.db.tenancy import read_tenant_key
from prometric_pipelines.generate.run import DEMO_PASSWORD, demo_accounts, generate
from prometric_pipelines.generate.scales import options_for
from prometric_pipelines.metrics.periods import ROLLUPS
from prometric_pipelines.metrics.run import compute_daily, compute_kpis, compute_rollup
from prometric_pipelines.payroll.run import run_payroll
from prometric_pipelines.stock.reconcile import reconcile

# a fixed history, so the expected values do not move with the calendar
DAYS = 120
END = dt.date(2025, 11, 30)
START = END - dt.timedelta(days=DAYS - 1)
PAYROLL_MONTHS = (dt.date(2025, 10, 1), dt.date(2025, 11, 1))


@dataclass
class DemoData:
    url: URL
    owner: Engine  # the schema owner: for the tests' own independent queries
    env: dict[str, str]  # what the app needs: DATABASE_URL, reader/jobs URLs, tenant key
    accounts: dict[str, tuple[str, str]]  # role → (email, organization name)
    today: dt.date  # the app's "today" for this history (END: the ranges end there)


def prepare(url: URL, home: Path) -> DemoData:
    owner = create_db_engine(url)
    options = options_for("demo", days=DAYS, start=START)
    generate(owner, options)
    first, last = START, START + dt.timedelta(days=DAYS - 1)
    compute_daily(owner, first, last, run_id="test")
    for period in ROLLUPS:
        compute_rollup(owner, period, first, last, run_id="test")
    compute_kpis(owner, first, last, run_id="test")
    for month in PAYROLL_MONTHS:
        run_payroll(owner, month)
    # the first month approved, the second left DRAFT: an employee sees the one, not the other
    run_payroll(owner, PAYROLL_MONTHS[0], approve=True)
    reconcile(owner, last)
    logins = provision_logins(owner, home)
    with owner.connect() as conn:
        key = read_tenant_key(conn)
        assert conn.execute(text("SELECT count(*) FROM payroll")).scalar_one() > 0
    # what `prometric dashboards` gives the app: the reader login only, never the owner's URL nor the jobs login
    env = {
        "READER_DATABASE_URL": libpq_url(logins[READER_ROLE]),
        "PROMETRIC_TENANT_KEY": key,
        "PROMETRIC_HOME": str(home),
    }
    accounts = {role: (email, organization) for role, email, organization in demo_accounts(owner, options)}
    return DemoData(url, owner, env, accounts, last)


@pytest.fixture(scope="session")
def demo_data(databases, template_database, tmp_path_factory) -> Iterator[DemoData]:
    url = databases.create("dashboards", template=template_database)
    data = prepare(url, tmp_path_factory.mktemp("dashboards-home"))
    yield data
    data.owner.dispose()


def restore_logins(data: DemoData) -> None:
    """Sets the roles' passwords back to this data's: roles are server-wide, and a test module that
    provisions logins of its own (another PROMETRIC_HOME) gives them new passwords meanwhile."""
    provision_logins(data.owner, Path(data.env["PROMETRIC_HOME"]))


@pytest.fixture
def app_env(demo_data: DemoData, monkeypatch: pytest.MonkeyPatch) -> DemoData:
    """The process environment the app (AppTest runs it in-process) reads its logins from."""
    restore_logins(demo_data)
    for name in ("DATABASE_URL", "JOBS_DATABASE_URL"):  # the app must work without them (docs/security.md)
        monkeypatch.delenv(name, raising=False)
    for name, value in demo_data.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PROMETRIC_DASHBOARDS_TODAY", demo_data.today.isoformat())
    return demo_data


__all__ = ["DEMO_PASSWORD", "DemoData", "app_env", "demo_data", "os", "restore_logins"]
