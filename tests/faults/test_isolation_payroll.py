"""Failure isolation in payroll (compute, approve, mark paid): an organization whose rows the database
refuses (a trigger raising on its `payroll` rows) is rolled back alone, the other is written as by a
clean run, and a re-run of only the failed organization completes the month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import dagster as dg
import pytest
from sqlalchemy import text

from prometric_pipelines.defs.payroll.assets import payroll_run
from prometric_pipelines.lib.resources import PostgresResource
from tests.factories import make, make_tenant
from tests.faults.isolation import check, fault, materialization_failures, notified, owners, run_failure

pytestmark = pytest.mark.faults

FEB = "2026-02-01"
ROWS = text("""
    SELECT CAST(p."organizationId" AS text), p."employeeId", p."payrollNumber", p."basicSalary", p.allowances,
           p.deductions, p."taxAmount", p."netSalary", p.status,
           (SELECT array_agg(i.code || '=' || i.amount ORDER BY i.code) FROM payroll_items i WHERE i."payrollId" = p.id)
    FROM payroll p WHERE p.year = 2026 AND p.month = 2 ORDER BY p."organizationId", p."payrollNumber" """)


@pytest.fixture(scope="module")
def orgs(engine) -> tuple[str, str]:
    ids = []
    with engine.begin() as conn:
        for salaries in (("300000", "450000"), ("520000", "610000", "380000")):
            tenant = make_tenant(conn)
            org, ws = tenant["organization"]["id"], tenant["workspace"]["id"]
            make(conn, "employees", organizationId=org, userId=tenant["owner"]["id"], organizationRole="owner",
                 status="active", salary=None)  # fmt: skip
            for salary in salaries:
                make(conn, "employees", organizationId=org, workspaceId=ws, hireDate=dt.date(2025, 3, 3),
                     salary=Decimal(salary), organizationRole="employee", status="active",
                     personalInfo={"birthDate": "1988-01-01"})  # fmt: skip
            ids.append(str(org))
    # the bad organization comes first (organizations run in id order): its rolled-back savepoint also
    # undoes the temporary stage table it created, and the clean one after it must not mind
    bad, clean = sorted(ids)
    return clean, bad


def rows(engine, organization: str | None = None) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(ROWS) if organization is None or r[0] == organization]


def clear(engine) -> None:
    with engine.begin() as conn:
        for table in ("payroll_items", "payroll_skips", "payroll"):
            conn.execute(text(f'DELETE FROM {table} WHERE "organizationId" IS NOT NULL'))


def materialize(database_url, instance, **config) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [payroll_run],
        partition_key=FEB,
        resources={"postgres": PostgresResource(database_url=database_url.render_as_string(hide_password=False))},
        instance=instance,
        run_config={"ops": {"payroll_run": {"config": config}}},
        raise_on_error=False,
    )


# (action config, the rows the fault refuses, config that brings the rows to the state before the action)
ACTIONS = [
    pytest.param({}, "true", [], id="compute"),
    pytest.param({"approve": True}, "NEW.status = 'APPROVED'", [{}], id="approve"),
    pytest.param(
        {"mark_paid": True, "payment_date": "2026-02-27"},
        "NEW.status = 'PAID'",
        [{}, {"approve": True}],
        id="mark-paid",
    ),
]


@pytest.mark.parametrize(("action", "when", "before"), ACTIONS)
def test_one_organization_failing_payroll_is_rolled_back_alone(engine, database_url, orgs, action, when, before):
    clean, bad = orgs
    with dg.instance_for_test() as instance:
        clear(engine)
        for config in [*before, action]:
            assert materialize(database_url, instance, **config).success
        full = rows(engine)
        assert {r[0] for r in full} == {clean, bad}

        clear(engine)
        for config in before:
            assert materialize(database_url, instance, **config).success
        prior = rows(engine, bad)
        with fault(engine, "payroll", bad, when, message="injected fault: payroll row refused"):
            result = materialize(database_url, instance, **action)
        assert not result.success
        description, failed = run_failure(result)
        assert description == "partial: 1 of 2 organizations failed"
        assert [(f["organization_id"], f["step"], f["reason"]) for f in failed] == [
            (bad, "payroll_run", "injected fault: payroll row refused")
        ]
        assert rows(engine, clean) == [r for r in full if r[0] == clean]
        assert rows(engine, bad) == prior  # as before the run: rolled back
        passed, check_failed, _ = check(result, "payroll_run_organizations_completed")
        assert not passed and [f["organization_id"] for f in check_failed] == [bad]
        assert [f["organization_id"] for f in materialization_failures(result, "payroll_run")] == [bad]
        # the spec's checks ran over the organization written, and pass
        spec_checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
        assert spec_checks["net_is_gross_minus_deductions_and_tax"] and spec_checks["breakdown_matches_rows"]
        messages = notified(engine, result.run_id)
        assert [user for user, _, _ in messages] == owners(engine, bad) != []
        assert all(named == [bad] for _, named, _ in messages)

        assert materialize(database_url, instance, organization_ids=[bad], **action).success
        assert rows(engine) == full


def test_the_failure_sensor_notifies_only_the_failed_organizations_owners(engine, database_url, orgs):
    """The daemon's sensor reads the partial run's list: the failed organization's owners hear of it (once,
    about that organization), the clean organization's owners hear nothing."""
    from prometric_pipelines.defs.monitoring.sensors import run_failure_notifications

    clean, bad = orgs
    clear(engine)
    with dg.instance_for_test() as instance:
        with fault(engine, "payroll", bad, message="injected fault: payroll row refused"):
            result = materialize(database_url, instance)
        assert not result.success
        with engine.begin() as conn:  # as if the step had died before it could notify
            conn.execute(text("DELETE FROM notifications WHERE data ->> 'runId' = :r"), {"r": result.run_id})
        url = database_url.render_as_string(hide_password=False)
        for _ in range(2):  # a second evaluation adds nothing
            with dg.build_run_status_sensor_context(
                sensor_name="run_failure_notifications",
                dagster_event=result.get_run_failure_event(),
                dagster_instance=instance,
                dagster_run=instance.get_run_by_id(result.run_id),
                resources={"postgres": PostgresResource(database_url=url)},
            ) as context:
                run_failure_notifications(context.for_run_failure())
    messages = notified(engine, result.run_id)
    assert [user for user, _, _ in messages] == owners(engine, bad)
    assert owners(engine, clean) and not set(owners(engine, clean)) & {user for user, _, _ in messages}
    assert all(
        named == [bad] and message == f"Run {result.run_id} at step payroll_run: injected fault: payroll row refused"
        for _, named, message in messages
    )
