"""The payroll job through Dagster and the CLI: partitions, run config, checks on corrupted rows,
schedule, bad input, concurrent runs (advisory lock) and a run killed mid-write."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
import threading
import uuid
import zoneinfo
from decimal import Decimal

import dagster as dg
import pytest
from sqlalchemy import text

from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.defs.payroll.assets import payroll_run
from prometric_pipelines.defs.payroll.schedules import payroll_schedule
from prometric_pipelines.lib.resources import PostgresResource
from prometric_pipelines.payroll.run import run_payroll
from tests.checksums import database_checksum, schema_fingerprint
from tests.cli import assert_one_clear_line, prometric
from tests.factories import make, make_tenant
from tests.operator import operator_env
from tests.waiting import wait_for, wait_for_backend_to_end

FEB = "2026-02-01"


def staff(engine, salaries=("300000", "450000", "520000")) -> dict:
    with engine.begin() as conn:
        tenant = make_tenant(conn)
        for salary in salaries:
            make(conn, "employees", organizationId=tenant["organization"]["id"],
                 workspaceId=tenant["workspace"]["id"], hireDate=dt.date(2025, 3, 3), salary=Decimal(salary),
                 personalInfo={"birthDate": "1988-01-01"})  # fmt: skip
    return tenant


def materialize(database_url, config: dict, partition: str = FEB):
    resources = {"postgres": PostgresResource(database_url=database_url.render_as_string(hide_password=False))}
    with dg.DagsterInstance.ephemeral() as instance:
        return dg.materialize(
            [payroll_run],
            partition_key=partition,
            resources=resources,
            instance=instance,
            run_config={"ops": {"payroll_run": {"config": config}}},
            raise_on_error=False,
        )


def checks(result) -> dict[str, tuple[bool, int]]:
    """The spec's checks (the organizations-completed check is tested in tests/faults/)."""
    return {
        e.check_name: (e.passed, e.metadata["failures"].value)
        for e in result.get_asset_check_evaluations()
        if e.check_name != "payroll_run_organizations_completed"
    }


def failure_message(result) -> str:
    return next(e.step_failure_data.error.message for e in result.all_events if e.is_step_failure)


def test_materialized_partition_reports_and_checks_catch_corrupted_rows(database_url, engine):
    tenant = staff(engine)
    org = str(tenant["organization"]["id"])
    first = materialize(database_url, {"organization_ids": [org]})
    assert first.success
    meta = first.asset_materializations_for_node("payroll_run")[0].metadata
    assert (meta["period"].value, meta["created"].value, meta["rows"].value, meta["skipped"].value) == (
        "2026-02", 3, 3, 0,
    )  # fmt: skip
    # gross 300,000 + 450,000 + 520,000
    assert meta["total_gross_kzt"].value == 1_270_000.0
    assert "created 3" in meta["report"].value
    assert all(passed for passed, _ in checks(first).values()) and len(checks(first)) == 3

    approved = materialize(database_url, {"organization_ids": [org], "approve": True})
    assert approved.asset_materializations_for_node("payroll_run")[0].metadata["approved"].value == 3
    # corrupt locked rows (a run never recomputes them): a wrong net, a breakdown line, a lost employee
    with engine.begin() as conn:
        conn.execute(
            text("""UPDATE payroll SET "netSalary" = "netSalary" + 1
                    WHERE id = (SELECT min(id::text)::uuid FROM payroll WHERE "organizationId" = :o)"""),
            {"o": org},
        )
        conn.execute(
            text("""UPDATE payroll_items SET amount = amount + 5 WHERE code = 'VOSMS'
                    AND "payrollId" = (SELECT max(id::text)::uuid FROM payroll WHERE "organizationId" = :o)"""),
            {"o": org},
        )
        make(conn, "employees", organizationId=org, workspaceId=tenant["workspace"]["id"],
             hireDate=dt.date(2025, 3, 3), salary=Decimal("100000"))  # fmt: skip
    after = materialize(database_url, {"organization_ids": [org], "approve": True})
    assert after.success  # non-blocking checks: the run reports, the checks fail
    assert checks(after) == {
        "net_is_gross_minus_deductions_and_tax": (False, 1),
        "breakdown_matches_rows": (False, 1),
        "every_active_employee_paid_or_skipped": (False, 1),
    }


def test_launchpad_config_mistakes_fail_with_one_message_and_write_nothing(database_url, engine):
    with engine.connect() as conn:
        before = database_checksum(conn)
    unknown = str(uuid.uuid4())
    for config, message in (
        ({"organization_ids": ["acme"]}, "organization id 'acme' is not a UUID"),
        ({"organization_ids": [unknown]}, f"unknown organization {unknown}"),
        ({"payment_date": "2026-02-30", "mark_paid": True}, "payment_date '2026-02-30' is not a date"),
    ):
        result = materialize(database_url, config)
        assert not result.success
        assert message in failure_message(result)
    with engine.connect() as conn:
        assert database_checksum(conn) == before


def test_schedule_runs_the_previous_month_on_the_first_at_six_almaty():
    assert payroll_schedule.cron_schedule == "0 6 1 * *"
    assert payroll_schedule.execution_timezone == "Asia/Almaty"
    almaty = zoneinfo.ZoneInfo("Asia/Almaty")
    for scheduled, partition in (
        (dt.datetime(2026, 3, 1, 6, 0, tzinfo=almaty), "2026-02-01"),
        (dt.datetime(2026, 1, 1, 6, 0, tzinfo=almaty), "2025-12-01"),
    ):
        request = payroll_schedule(dg.build_schedule_context(scheduled_execution_time=scheduled))
        assert request.partition_key == partition


def test_cli_runs_approves_and_prints_the_report(database_url, engine, cli_env):
    tenant = staff(engine, salaries=("400000", "500000"))
    org = str(tenant["organization"]["id"])
    env = operator_env(cli_env, database_url)
    computed = prometric("run", "payroll", "--month", "2026-02", "--org", org, env=env, timeout=300)
    assert computed.returncode == 0, computed.stderr
    lines = computed.stdout.splitlines()
    # the report once (it was also logged through Dagster's console), and a draft is not "paid"
    assert [line for line in lines if line.startswith("payroll 2026-02 (compute): 1 organization(s)")] == [lines[0]]
    assert lines[1].endswith(f"({org}): 2 DRAFT")
    assert lines[2] == (
        "    computed 2 (created 2, updated 0, unchanged 0); removed 0; locked, not recomputed: none; skipped 0"
    )
    assert "paid" not in computed.stdout.lower() and "gross 900,000.00" in lines[3]
    assert "(compute)" not in computed.stderr  # the terminal shows the report once, not again in the logs
    assert "Warning" not in computed.stderr  # Dagster's BetaWarnings are filtered (framework_warnings.py)
    too_early = prometric("run", "payroll", "--month", "2026-02", "--org", org, "--mark-paid", env=env, timeout=300)
    assert too_early.returncode == 1 and "marked paid 0" in too_early.stdout
    assert too_early.stderr.strip() == (
        "prometric: nothing marked paid: the 2 row(s) of 2026-02 are DRAFT; approve them first "
        "(prometric run payroll --month 2026-02 --approve), then --mark-paid"
    )
    approved = prometric("run", "payroll", "--month", "2026-02", "--org", org, "--approve", env=env, timeout=300)
    assert approved.returncode == 0, approved.stderr
    assert "approved 2; notifications 2" in approved.stdout and "2 APPROVED" in approved.stdout
    paid = prometric("run", "payroll", "--month", "2026-02", "--org", org, "--mark-paid", env=env, timeout=300)
    assert paid.returncode == 0, paid.stderr
    assert "marked paid 2" in paid.stdout and "2 PAID" in paid.stdout


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("--month", "2026-13"), ("--month", "'2026-13' is not a month")),
        (("--month", "2027-01"), ("2027-01 is in the future",)),
        (("--month", "2024-05"), ("no payroll parameters for 2024",)),
        (("--month", "2026-02", "--org", "acme"), ("'acme' is not a UUID",)),
        (("--month", "2026-02", "--org", "00000000-0000-4000-8000-000000000000"), ("unknown organization",)),
        (("--month", "2026-02", "--payment-date", "tomorrow"), ("--payment-date",)),
    ],
)
def test_cli_bad_input_one_clear_line_nothing_written(database_url, engine, cli_env, args, fragments):
    env = operator_env(cli_env, database_url)
    with engine.connect() as conn:
        before, schema = database_checksum(conn), schema_fingerprint(conn)
    result = prometric("run", "payroll", *args, env=env)
    assert_one_clear_line(result, *fragments)
    assert result.stdout == ""
    with engine.connect() as conn:
        assert database_checksum(conn) == before and schema_fingerprint(conn) == schema


def _blocked_backends(watcher, database: str, wait_type: str) -> list[int]:
    watcher.rollback()  # pg_stat_activity is a snapshot per transaction
    return (
        watcher.execute(
            text("""SELECT pid FROM pg_stat_activity WHERE datname = :db AND wait_event_type = :w
                AND pid <> pg_backend_pid()"""),
            {"db": database, "w": wait_type},
        )
        .scalars()
        .all()
    )


def test_concurrent_runs_of_a_month_are_serialised_without_duplicates(database_url, engine):
    tenant = staff(engine, salaries=tuple(str(200_000 + 1_000 * i) for i in range(40)))
    org = str(tenant["organization"]["id"])
    month = dt.date(2026, 2, 1)
    holder = engine.connect()
    holder.execute(text("SELECT pg_advisory_xact_lock(hashtext('prometric.payroll'), hashtext(:k))"),
                   {"k": f"{org}:2026-02"})  # fmt: skip
    reports, errors = [], []

    def one_run():
        try:
            reports.append(run_payroll(engine, month, [org]))
        except Exception as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    with engine.connect() as watcher:
        # both runs wait on the month's advisory lock while another session holds it
        wait_for(lambda: len(_blocked_backends(watcher, database_url.database, "Lock")) == 2, what="both runs waiting")
        with engine.connect() as probe:
            assert (
                probe.execute(text('SELECT count(*) FROM payroll WHERE "organizationId" = :o'), {"o": org}).scalar()
                == 0
            )
    holder.rollback()  # releases the lock: the runs go one after the other
    holder.close()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(r.count("created") for r in reports) == [0, 40]  # the second saw the first's rows
    with engine.connect() as conn:
        counts = conn.execute(
            text("""SELECT count(*), count(DISTINCT "employeeId"), count(DISTINCT "payrollNumber")
                    FROM payroll WHERE "organizationId" = :o"""),
            {"o": org},
        ).one()
        created = conn.execute(
            text("""SELECT count(*) FROM audit_logs WHERE "organizationId" = :o AND action = 'CREATE'
                    AND entity = 'payroll'"""),
            {"o": org},
        ).scalar()
        items = conn.execute(
            text('SELECT count(*) FROM payroll_items WHERE "organizationId" = :o'), {"o": org}
        ).scalar()
    assert tuple(counts) == (40, 40, 40) and created == 40 and items == 40 * 9


def _content(engine, org: str) -> dict[str, list]:
    """The month's results without ids and timestamps (which differ between two databases' runs)."""
    with engine.connect() as conn:
        rows = conn.execute(
            text("""SELECT e."employeeCode", p."payrollNumber", p."basicSalary", p.allowances, p.deductions,
                           p."taxAmount", p."netSalary", p.status, p.notes
                    FROM payroll p JOIN employees e ON e.id = p."employeeId" AND e."organizationId" = p."organizationId"
                    WHERE p."organizationId" = :o ORDER BY 1"""),
            {"o": org},
        ).all()
        items = conn.execute(
            text("""SELECT p."payrollNumber", i.code, i.kind, i.base, i.rate, i.amount, i.details::text
                    FROM payroll_items i
                    JOIN payroll p ON p.id = i."payrollId" AND p."organizationId" = i."organizationId"
                    WHERE i."organizationId" = :o ORDER BY 1, 2"""),
            {"o": org},
        ).all()
        audit = conn.execute(
            text("""SELECT action, count(*) FROM audit_logs WHERE "organizationId" = :o AND entity = 'payroll'
                    GROUP BY 1 ORDER BY 1"""),
            {"o": org},
        ).all()
    return {"rows": rows, "items": items, "audit": audit}


def test_run_killed_mid_write_leaves_nothing_and_a_rerun_equals_a_clean_run(databases, template_database, cli_env):
    url = databases.create("payroll_killed", template=template_database)
    owner = create_db_engine(url)
    tenant = staff(owner, salaries=tuple(str(150_000 + 7_919 * i) for i in range(25)))
    org = str(tenant["organization"]["id"])
    with owner.connect() as conn:
        before = database_checksum(conn)
    env = operator_env(cli_env, url)
    command = [sys.executable, "-m", "prometric_pipelines.cli", "run", "payroll", "--month", "2026-02", "--org", org]

    # the run stops at the skip reasons, its last write: payroll rows, audit rows and the breakdown are
    # already in its open transaction
    blocker = owner.connect()
    blocker.execute(text("LOCK TABLE payroll_skips IN ACCESS EXCLUSIVE MODE"))
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        with owner.connect() as watcher:
            pid = wait_for(
                lambda: _blocked_backends(watcher, url.database, "Lock"), timeout=180, what="the run to block"
            )[0]
            watcher.rollback()
            held = watcher.execute(
                text("""SELECT count(DISTINCT c.relname) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                        WHERE l.pid = :p AND l.granted AND l.mode = 'RowExclusiveLock'
                          AND c.relname IN ('payroll', 'payroll_items', 'audit_logs')"""),
                {"p": pid},
            ).scalar_one()
            assert held == 3  # it has written payroll rows, their breakdown and audit rows: mid-write indeed
            process.send_signal(signal.SIGKILL)
            assert process.wait(timeout=30) == -signal.SIGKILL
            blocker.rollback()

            wait_for_backend_to_end(watcher, pid, "the killed run's server process to end")
    finally:
        blocker.close()
        if process.poll() is None:
            process.kill()
    with owner.connect() as conn:
        assert database_checksum(conn) == before  # nothing of the killed run is left

    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    after_rerun = _content(owner, org)
    assert len(after_rerun["rows"]) == 25 and after_rerun["audit"] == [("CREATE", 25)]

    # a clean run from scratch gives the same content
    with owner.begin() as conn:
        conn.execute(text('DELETE FROM payroll WHERE "organizationId" = :o'), {"o": org})
        conn.execute(text('DELETE FROM payroll_skips WHERE "organizationId" = :o'), {"o": org})
        conn.execute(text("""DELETE FROM audit_logs WHERE "organizationId" = :o AND entity = 'payroll'"""), {"o": org})
    run_payroll(owner, dt.date(2026, 2, 1), [org])
    assert _content(owner, org) == after_rerun
    owner.dispose()
    databases.drop(url)
