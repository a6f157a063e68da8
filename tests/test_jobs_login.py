"""The data jobs connect as `prometric_jobs`, never as the owner (docs/security.md, "Which process holds
which login").

Each job runs through Dagster with the code location's own resources (`definitions.defs`), in an
environment that holds the owner's `DATABASE_URL` too, so a job that reached for it would be seen.
Every connection opened during the run reports PostgreSQL's `current_user`; the job's results are
checked against the hand-computed figures of the domain's own tests, so the jobs login did the work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import dagster as dg
import psycopg
import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import URL, Engine

from prometric_pipelines.config import libpq_url
from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.db.roles import JOBS_ROLE, MAINTENANCE_ROLE, supervisor_url
from prometric_pipelines.definitions import defs
from prometric_pipelines.defs.audit.assets import audit_archive
from prometric_pipelines.defs.metrics.assets import daily_metrics
from prometric_pipelines.defs.payroll.assets import payroll_run
from prometric_pipelines.defs.stock.assets import stock_reconciliation
from prometric_pipelines.errors import ConfigError
from prometric_pipelines.lib.resources import PostgresResource
from prometric_pipelines.monitoring.failures import FailedRun, notify_owners
from tests import metrics_data, stock_scenario
from tests.audit_cases import seed_history
from tests.factories import make, make_tenant

RUN_DATE = dt.date(2026, 3, 10)


@pytest.fixture
def owner_database(databases, template_database, request) -> Iterator[tuple[URL, Engine]]:
    url = databases.create(f"jobslogin_{request.node.name}"[:40], template=template_database)
    engine = create_db_engine(url)
    yield url, engine
    engine.dispose()
    databases.drop(url)


@pytest.fixture
def as_jobs_login(owner_database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server_logins) -> str:
    """The environment a job process has: the owner's URL (which it must not use) and the jobs login."""
    url, engine = owner_database
    logins = server_logins(engine)
    monkeypatch.setenv("DATABASE_URL", libpq_url(url))
    monkeypatch.setenv("JOBS_DATABASE_URL", libpq_url(logins[JOBS_ROLE]))
    monkeypatch.setenv("ARCHIVE_URL", str(tmp_path / "archive"))
    return engine.url.username


class SessionUsers:
    """`current_user` of every PostgreSQL connection any engine opens while recording (asked of PostgreSQL)."""

    def __init__(self) -> None:
        self.users: list[str] = []

    def __call__(self, dbapi_connection, connection_record) -> None:
        if not isinstance(dbapi_connection, psycopg.Connection):
            return  # the Dagster instance's own SQLite storage
        self.users.append(dbapi_connection.execute("SELECT current_user").fetchone()[0])
        if not dbapi_connection.autocommit:
            dbapi_connection.rollback()


def materialize_recording_users(assets: list, **options) -> tuple[dg.ExecuteInProcessResult, set[str]]:
    recorder = SessionUsers()
    event.listen(Engine, "connect", recorder)
    try:
        with dg.DagsterInstance.ephemeral() as instance:
            # the code location's resources as shipped: no URL given, so each resolves its own login
            result = dg.materialize(assets, resources=defs.resources, instance=instance, **options)
    finally:
        event.remove(Engine, "connect", recorder)
    return result, set(recorder.users)


def test_metrics_job_connects_as_the_jobs_login(owner_database, as_jobs_login):
    _url, engine = owner_database
    with engine.begin() as conn:
        data = metrics_data.build(conn)
    result, users = materialize_recording_users(
        [daily_metrics],
        partition_key=str(metrics_data.D),
        run_config={"ops": {"daily_metrics": {"config": {"organization_ids": [str(data["org"])]}}}},
    )
    assert result.success
    assert users == {JOBS_ROLE}, f"the metrics job connected as {users}, the owner is {as_jobs_login}"
    with engine.connect() as conn:
        revenue = conn.execute(
            text("""SELECT value FROM metrics WHERE name = 'orders_revenue' AND period = 'daily'
                    AND date = :d AND "organizationId" = :org"""),
            {"d": metrics_data.D, "org": data["org"]},
        ).scalar_one()
    assert revenue == Decimal("6500.00")  # tests/test_metrics.py: o1 1000 + o2 500 + o5 10 USD × 500


def test_payroll_job_connects_as_the_jobs_login(owner_database, as_jobs_login):
    _url, engine = owner_database
    with engine.begin() as conn:
        tenant = make_tenant(conn)
        for salary in ("300000", "450000"):
            make(conn, "employees", organizationId=tenant["organization"]["id"],
                 workspaceId=tenant["workspace"]["id"], hireDate=dt.date(2025, 3, 3), salary=Decimal(salary),
                 personalInfo={"birthDate": "1988-01-01"})  # fmt: skip
    org = str(tenant["organization"]["id"])
    result, users = materialize_recording_users(
        [payroll_run],
        partition_key="2026-02-01",
        run_config={"ops": {"payroll_run": {"config": {"organization_ids": [org]}}}},
    )
    assert result.success
    assert users == {JOBS_ROLE}, f"the payroll job connected as {users}"
    meta = result.asset_materializations_for_node("payroll_run")[0].metadata
    assert (meta["created"].value, meta["total_gross_kzt"].value) == (2, 750_000.0)


def test_stock_reconciliation_connects_as_the_jobs_login(owner_database, as_jobs_login):
    _url, engine = owner_database
    with engine.begin() as conn:
        ids = stock_scenario.build(conn, RUN_DATE)
    result, users = materialize_recording_users(
        [stock_reconciliation],
        partition_key=str(RUN_DATE),
        run_config={"ops": {"stock_reconciliation": {"config": {"apply_adjustments": True,
                                                                 "organization_ids": [str(ids["org"])]}}}},
    )  # fmt: skip
    assert result.success
    assert users == {JOBS_ROLE}, f"the stock reconciliation connected as {users}"
    meta = result.asset_materializations_for_node("stock_reconciliation")[0].metadata
    # tests/stock_scenario.py: ten findings, two adjustments, one product synced
    assert (meta["findings_total"].value, meta["adjustments_posted"].value, meta["products_synced"].value) == (10, 2, 1)


def test_audit_archive_and_restore_connect_as_the_jobs_login(owner_database, as_jobs_login, monkeypatch):
    _url, engine = owner_database
    with engine.begin() as conn:
        orgs = seed_history(conn)["orgs"]
    monkeypatch.setenv("AUDIT_RETENTION_MONTHS", "1")
    result, users = materialize_recording_users([audit_archive], partition_key="2025-03-01")
    assert result.success
    assert users == {JOBS_ROLE}, f"the archive job connected as {users}"
    meta = result.asset_materializations_for_node("audit_archive")[0].metadata
    # as tests/test_audit.py: before 1 March, January (4 global, 30 of A, 20 of B) and A's 25 of February
    assert (meta["rows_archived"].value, meta["files_written"].value) == (4 + 30 + 25 + 20, 4)

    recorder = SessionUsers()
    event.listen(Engine, "connect", recorder)
    try:
        with dg.DagsterInstance.ephemeral() as instance:
            restored = defs.resolve_job_def("audit_restore_job").execute_in_process(
                run_config={"ops": {"restore_audit_month": {"config": {"month": "2025-02",
                                                                        "organization_ids": [orgs["a"]]}}}},
                instance=instance,
            )  # fmt: skip
    finally:
        event.remove(Engine, "connect", recorder)
    assert restored.success
    assert set(recorder.users) == {JOBS_ROLE}, f"the restore connected as {set(recorder.users)}"
    with engine.connect() as conn:
        live = conn.execute(
            text("""SELECT count(*) FROM audit_logs WHERE "organizationId" = :org
                    AND "createdAt" >= '2025-02-01' AND "createdAt" < '2025-03-01'"""),
            {"org": orgs["a"]},
        ).scalar_one()
    assert live == 25  # A's February is back, once


def test_each_resource_has_its_own_login_and_none_falls_back_to_the_owner(owner_database, monkeypatch, server_logins):
    url, engine = owner_database
    logins = server_logins(engine)
    monkeypatch.setenv("DATABASE_URL", libpq_url(url))
    monkeypatch.setenv("JOBS_DATABASE_URL", libpq_url(logins[JOBS_ROLE]))
    monkeypatch.setenv("MAINTENANCE_DATABASE_URL", libpq_url(logins[MAINTENANCE_ROLE]))
    assert defs.resources["postgres"].url().username == JOBS_ROLE
    assert defs.resources["maintenance_postgres"].url().username == MAINTENANCE_ROLE
    assert defs.resources["schema_postgres"].url().username == engine.url.username  # the migration only
    assert supervisor_url().username == MAINTENANCE_ROLE
    # an explicit URL (tests, an operator's choice in the launchpad) wins
    assert PostgresResource(database_url=libpq_url(url)).url().username == engine.url.username
    # an operator's server without a login's variable: one clear error, never the owner's URL
    monkeypatch.delenv("MAINTENANCE_DATABASE_URL")
    assert supervisor_url().username == JOBS_ROLE  # the supervisor makes do with the jobs login
    with pytest.raises(ConfigError, match="MAINTENANCE_DATABASE_URL is not"):
        defs.resources["maintenance_postgres"].url()
    monkeypatch.delenv("JOBS_DATABASE_URL")
    with pytest.raises(ConfigError, match="JOBS_DATABASE_URL is not"):
        PostgresResource().url()
    with pytest.raises(ConfigError, match="JOBS_DATABASE_URL is not"):
        supervisor_url()


def test_run_failure_notifications_connect_as_the_jobs_login(owner_database, as_jobs_login):
    _url, engine = owner_database
    with engine.begin() as conn:
        tenant = make_tenant(conn)
        make(conn, "employees", organizationId=tenant["organization"]["id"], workspaceId=tenant["workspace"]["id"],
             userId=tenant["owner"]["id"], organizationRole="owner")  # fmt: skip
    org = str(tenant["organization"]["id"])
    recorder = SessionUsers()
    event.listen(Engine, "connect", recorder)
    jobs = create_db_engine(defs.resources["postgres"].url())  # what the failure sensor's resource opens
    try:
        result = notify_owners(jobs, FailedRun("run-1", "payroll_job", "payroll_run", "boom"), [org])
        again = notify_owners(jobs, FailedRun("run-1", "payroll_job", "payroll_run", "boom"), [org])
    finally:
        event.remove(Engine, "connect", recorder)
        jobs.dispose()
    assert set(recorder.users) == {JOBS_ROLE}
    assert (result.owners_notified, again.owners_notified) == (1, 0)  # the owner, once per run


def test_on_the_embedded_server_without_its_logins_the_jobs_refuse_rather_than_use_the_owner(tmp_path, monkeypatch):
    for variable in ("DATABASE_URL", "JOBS_DATABASE_URL", "PROMETRIC_EXTERNAL_SERVER"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("PROMETRIC_HOME", str(tmp_path / "fresh-home"))  # no prometric_jobs.password yet
    with pytest.raises(ConfigError, match=r"prometric_jobs\.password is missing: run `prometric db migrate`"):
        PostgresResource().url()
