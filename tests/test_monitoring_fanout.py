"""Per-organization runs: N organizations → N runs, and together the same rows as one all-organizations
run (metrics and payroll), each run writing its own organization only."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
from sqlalchemy import text

from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.definitions import defs
from prometric_pipelines.defs.metrics.run_config import ALERTS_OP, METRICS_OPS
from prometric_pipelines.generate.run import generate
from prometric_pipelines.generate.scales import options_for
from prometric_pipelines.lib.fan_out import FAN_OUT_TAG
from prometric_pipelines.lib.resources import PostgresResource
from prometric_pipelines.monitoring.failures import ORGANIZATION_TAG
from tests.operator import operator_env

REPOSITORY = defs.get_repository_def()
ORGANIZATIONS = 3
# 1 August 2025: the nightly metrics window is 28-31 July, the monthly payroll is July's
METRICS_TICK = dt.datetime(2025, 8, 1, 1, tzinfo=ZoneInfo("Asia/Almaty"))
PAYROLL_TICK = dt.datetime(2025, 8, 1, 6, tzinfo=ZoneInfo("Asia/Almaty"))

METRICS_ROWS = """
    SELECT "organizationId", "workspaceId", name, type, period, date, value, "previousValue", change, target,
           metadata - 'run_id' - 'computed_at' AS metadata
    FROM metrics ORDER BY "organizationId", "workspaceId", name, period, date"""
PAYROLL_ROWS = """
    SELECT p."organizationId", e."employeeCode", p."payrollNumber", p."basicSalary", p.allowances, p.deductions,
           p."taxAmount", p."netSalary", p.status
    FROM payroll AS p JOIN employees AS e ON e.id = p."employeeId" AND e."organizationId" = p."organizationId"
    ORDER BY 1, 2"""
PAYROLL_ITEMS = """
    SELECT i."organizationId", p."payrollNumber", i.code, i.kind, i.base, i.rate, i.amount
    FROM payroll_items AS i JOIN payroll AS p ON p.id = i."payrollId" AND p."organizationId" = i."organizationId"
    ORDER BY 1, 2, 3"""


@pytest.fixture(scope="module")
def twin_databases(databases, database_url):
    """Two identical databases with generated data: one for the all-organizations runs, one for the fan-out."""
    engine = create_db_engine(database_url)
    generate(engine, options_for("demo", orgs=ORGANIZATIONS, days=75, start=dt.date(2025, 6, 1), seed=11))
    engine.dispose()
    twin = databases.create("operations_fanout_twin", template=database_url.database)
    return database_url, twin


def _evaluate(schedule: str, when: dt.datetime, url) -> list[dg.RunRequest]:
    resources = {"postgres": PostgresResource(database_url=url.render_as_string(hide_password=False))}
    with dg.build_schedule_context(scheduled_execution_time=when, resources=resources, repository_def=REPOSITORY) as c:
        return list(REPOSITORY.get_schedule_def(schedule).evaluate_tick(c).run_requests)


def _execute(job_name: str, request: dg.RunRequest, url, monkeypatch) -> None:
    for variable, value in operator_env({}, url).items():
        if variable.endswith("DATABASE_URL"):  # the owner's and each login's, as on an operator's server
            monkeypatch.setenv(variable, value)
    tags = dict(request.tags)
    if request.partition_key:
        tags["dagster/partition"] = request.partition_key
    with dg.DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def(job_name).execute_in_process(
            run_config=request.run_config, tags=tags, instance=instance, raise_on_error=False
        )
    assert result.success, job_name
    # the assets' own checks still run with the job (only the freshness checks have their own schedule)
    checks = {e.check_name for e in result.get_asset_check_evaluations()}
    assert checks >= ({"no_duplicate_keys"} if job_name == "metrics_job" else {"breakdown_matches_rows"})
    assert not {name for name in checks if "materialized_by" in name}


def _rows(url, query: str) -> list[tuple]:
    engine = create_db_engine(url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text(query))]
    engine.dispose()
    return rows


def _organizations(url) -> list[str]:
    return sorted(str(r[0]) for r in _rows(url, 'SELECT id FROM organizations WHERE "deletedAt" IS NULL'))


def test_metrics_fan_out_is_one_run_per_organization_with_the_same_rows(twin_databases, monkeypatch):
    whole, fanned = twin_databases
    organizations = _organizations(fanned)
    assert len(organizations) == ORGANIZATIONS

    [single] = _evaluate("metrics_nightly_schedule", METRICS_TICK, whole)
    _execute("metrics_job", single, whole, monkeypatch)

    requests = _evaluate("metrics_per_organization_schedule", METRICS_TICK, fanned)
    assert sorted(r.tags[ORGANIZATION_TAG] for r in requests) == organizations
    assert {r.tags[FAN_OUT_TAG] for r in requests} == {"metrics_job"}
    assert len({r.run_key for r in requests}) == ORGANIZATIONS
    for request in requests:
        # the same partition range as the all-organizations run, config limited to one organization
        assert request.tags["dagster/asset_partition_range_start"] == single.tags["dagster/asset_partition_range_start"]
        assert request.tags["dagster/asset_partition_range_end"] == "2025-07-31"
        ops = request.run_config["ops"]
        # the alerts of a per-organization run are that organization's too (not every organization's, each night
        # once per organization)
        assert set(ops) == {*METRICS_OPS, ALERTS_OP}
        assert {tuple(op["config"]["organization_ids"]) for op in ops.values()} == {(request.tags[ORGANIZATION_TAG],)}

    written: list[str] = []
    for request in requests:
        _execute("metrics_job", request, fanned, monkeypatch)
        written.append(request.tags[ORGANIZATION_TAG])
        # each run wrote its own organization and nobody else's
        assert sorted({str(r[0]) for r in _rows(fanned, METRICS_ROWS)}) == sorted(written)

    expected = _rows(whole, METRICS_ROWS)
    assert len(expected) > 1000
    assert _rows(fanned, METRICS_ROWS) == expected


def test_payroll_fan_out_is_one_run_per_organization_with_the_same_rows(twin_databases, monkeypatch):
    whole, fanned = twin_databases
    [single] = _evaluate("payroll_schedule", PAYROLL_TICK, whole)
    assert single.partition_key == "2025-07-01"
    _execute("payroll_job", single, whole, monkeypatch)

    requests = _evaluate("payroll_per_organization_schedule", PAYROLL_TICK, fanned)
    assert sorted(r.tags[ORGANIZATION_TAG] for r in requests) == _organizations(fanned)
    assert {r.partition_key for r in requests} == {"2025-07-01"}
    for request in requests:
        [(op, config)] = [(op, entry["config"]) for op, entry in request.run_config["ops"].items()]
        assert op == "payroll_run"
        assert config["organization_ids"] == [request.tags[ORGANIZATION_TAG]]
        assert not config["approve"] and not config["mark_paid"] and not config["recompute_all"]  # a DRAFT run
        _execute("payroll_job", request, fanned, monkeypatch)

    expected_rows = _rows(whole, PAYROLL_ROWS)
    assert len({r[0] for r in expected_rows}) == ORGANIZATIONS
    assert _rows(fanned, PAYROLL_ROWS) == expected_rows
    assert _rows(fanned, PAYROLL_ITEMS) == _rows(whole, PAYROLL_ITEMS)
