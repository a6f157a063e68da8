"""The stock reconciliation through Dagster and the CLI: launchpad config, checks, schedule, report,
bad input (one clear line, nothing written), a SIGKILL mid-run, and two concurrent runs."""

from __future__ import annotations

import datetime as dt
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import dagster as dg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL, Engine

from prometric_pipelines.business_calendar import BUSINESS_TIMEZONE, business_today
from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.defs.stock.assets import COMPLETED_CHECK, stock_reconciliation
from prometric_pipelines.defs.stock.schedules import stock_reconciliation_schedule
from prometric_pipelines.lib.resources import PostgresResource
from prometric_pipelines.stock.reconcile import KINDS, reconcile
from tests import stock_scenario
from tests.checksums import database_checksum
from tests.cli import assert_one_clear_line, prometric
from tests.operator import operator_env
from tests.waiting import wait_for, wait_for_backend_to_end

RUN_DATE = business_today()
UNKNOWN_ORG = "00000000-0000-0000-0000-0000000000aa"


@pytest.fixture
def scenario_db(databases, template_database, request) -> Iterator[tuple[URL, dict]]:
    url = databases.create(f"stockjob_{request.node.name}"[:40], template=template_database)
    engine = create_db_engine(url)
    with engine.begin() as conn:
        ids = stock_scenario.build(conn, RUN_DATE)
    engine.dispose()
    yield url, ids
    databases.drop(url)


def url_text(url: URL) -> str:
    return url.render_as_string(hide_password=False)


def checksum(url: URL) -> dict:
    engine = create_db_engine(url)
    with engine.connect() as conn:
        value = database_checksum(conn)
    engine.dispose()
    return value


def outcome(url: URL) -> dict[str, Any]:
    """What a run leaves behind, without the ids and times that differ between runs."""
    engine = create_db_engine(url)
    with engine.connect() as conn:

        def rows(sql: str) -> list[tuple]:
            return [tuple(r) for r in conn.execute(text(sql))]

        value = {
            "findings": rows("""SELECT "organizationId", kind, "warehouseId", "productId", "referenceId", expected,
                                       actual, difference, "valueImpact", details::text
                                FROM stock_discrepancies ORDER BY 1, 2, 3, 4, 5"""),
            "runs": rows("""SELECT "organizationId", "runDate", status, applied, summary::text
                            FROM stock_reconciliation_runs ORDER BY 1, 2"""),
            "adjustments": rows("""SELECT "warehouseId", "productId", quantity FROM stock_movements
                                   WHERE "referenceType" = 'adjustment' ORDER BY 1, 2"""),
            "products": rows('SELECT id, "currentStock", "reservedStock" FROM products ORDER BY id'),
            "audit": rows("""SELECT action, entity, "entityId" IS NOT NULL, count(*) FROM audit_logs
                             WHERE "userAgent" = 'prometric stock reconciliation' GROUP BY 1, 2, 3 ORDER BY 1, 2"""),
            "notifications": rows("""SELECT "userId", type, title, message FROM notifications
                                     WHERE category = 'stock_reconciliation' ORDER BY 1"""),
        }
    engine.dispose()
    return value


def materialize(url: URL, config: dict | None = None, partition: str = str(RUN_DATE)) -> dg.ExecuteInProcessResult:
    with dg.DagsterInstance.ephemeral() as instance:
        return dg.materialize(
            [stock_reconciliation],
            partition_key=partition,
            resources={"postgres": PostgresResource(database_url=url_text(url))},
            run_config={"ops": {"stock_reconciliation": {"config": config or {}}}},
            instance=instance,
            raise_on_error=False,
        )


# ---- Dagster ---------------------------------------------------------------------------------


def test_asset_reports_the_summary_and_a_check_per_kind(scenario_db) -> None:
    url, ids = scenario_db
    result = materialize(url, {"apply_adjustments": True, "organization_ids": [str(ids["org"])]})
    assert result.success
    meta = result.asset_materializations_for_node("stock_reconciliation")[0].metadata
    assert meta["run_date"].value == str(RUN_DATE) and meta["applied"].value is True
    assert meta["organizations"].value == 1 and meta["findings_total"].value == 10
    assert meta["findings_ledger_vs_inventory"].value == 2 and meta["value_impact_ledger_vs_inventory"].value == -280.0
    assert (meta["adjustments_posted"].value, meta["products_synced"].value, meta["audit_rows"].value) == (2, 1, 3)
    assert "| expired_stock | 1 | 600.00 |" in meta["summary"].value
    checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    assert set(checks) == {COMPLETED_CHECK, *(f"open_{kind}" for kind in KINDS)}
    assert checks[COMPLETED_CHECK].passed
    for kind in KINDS:  # every kind has one open finding or more in the scenario
        check = checks[f"open_{kind}"]
        assert not check.passed
        expected = "ERROR" if kind in ("invalid_movement", "cross_tenant_reference") else "WARN"
        assert check.severity.value == expected, kind
    assert checks["open_invalid_movement"].metadata["open_findings"].value == 2
    # the run key of the stored run is the Dagster run id
    engine = create_db_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text('SELECT "runKey" FROM stock_reconciliation_runs')).scalar_one() == result.run_id
    engine.dispose()


def test_clean_organization_passes_every_check(scenario_db) -> None:
    url, ids = scenario_db
    result = materialize(url, {"organization_ids": [str(ids["b_org"])]})
    assert result.success
    assert all(check.passed for check in result.get_asset_check_evaluations())


@pytest.mark.parametrize(
    "config, message",
    [
        ({"organization_ids": ["not-a-uuid"]}, "organization id 'not-a-uuid' is not a UUID"),
        ({"organization_ids": [UNKNOWN_ORG], "apply_adjustments": True}, f"unknown organization {UNKNOWN_ORG}"),
    ],
)
def test_bad_launchpad_config_fails_the_run_with_one_message_and_writes_nothing(scenario_db, config, message) -> None:
    url, _ = scenario_db
    before = checksum(url)
    result = materialize(url, config)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert message in failure.step_failure_data.error.message.strip().splitlines()[0]
    assert checksum(url) == before


def test_schedule_runs_at_two_in_almaty_for_the_day_that_begins() -> None:
    assert stock_reconciliation_schedule.cron_schedule == "0 2 * * *"
    assert stock_reconciliation_schedule.execution_timezone == "Asia/Almaty"
    at = dt.datetime(2026, 3, 10, 2, 0, tzinfo=BUSINESS_TIMEZONE)
    request = stock_reconciliation_schedule(dg.build_schedule_context(scheduled_execution_time=at))
    assert request.partition_key == "2026-03-10"
    # 02:00 in Almaty is 20:00 UTC of the day before: the partition follows Almaty's day
    utc = dt.datetime(2026, 3, 9, 21, 0, tzinfo=dt.UTC)
    assert stock_reconciliation_schedule(dg.build_schedule_context(scheduled_execution_time=utc)).partition_key == (
        "2026-03-10"
    )


# ---- CLI -----------------------------------------------------------------------------------


def test_cli_prints_the_report_and_records_the_run(scenario_db, cli_env) -> None:
    url, ids = scenario_db
    env = operator_env(cli_env, url)
    result = prometric("run", "reconcile", "--org", str(ids["org"]), "--apply", env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"stock reconciliation {RUN_DATE} (applied): 1 organization(s), run ")
    table = {line.split()[0]: line.split()[1:] for line in lines[2:9]}
    assert table == {
        "ledger_vs_inventory": ["2", "-280.00"], "inventory_vs_product": ["1", "300.00"],
        "negative_stock": ["1", "-60.00"], "expired_stock": ["1", "600.00"], "invalid_movement": ["2", "-400.00"],
        "cross_tenant_reference": ["2", "1,100.00"], "below_min_stock": ["1", "-80.00"],
    }  # fmt: skip
    assert "adjustments posted: 2, products synced: 1, audit rows: 3" in result.stdout
    assert "notifications to warehouse managers: 1" in result.stdout
    # the scenario's movements are of today: nothing to unseal (sealed or not, depending on earlier runs)
    assert re.search(
        r"ledger: [01] organization\(s\) from sealed balances, 0 \(warehouse, product\) pair", result.stdout
    )
    assert "failing checks: open_invalid_movement, open_cross_tenant_reference" in result.stdout
    run_id = lines[0].rsplit(" ", 1)[1]
    with dg.DagsterInstance.from_config(cli_env["PROMETRIC_HOME"] + "/dagster") as instance:
        run = instance.get_run_by_id(run_id)
        assert run is not None and run.tags["dagster/partition"] == str(RUN_DATE)


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["--date", "2999-01-01"], ["--date 2999-01-01 is in the future"]),
        (["--date", "2026-13-01"], ["is not a date (YYYY-MM-DD)"]),
        (["--org", "acme"], ["organization id 'acme' is not a UUID"]),
        (["--apply", "--org", UNKNOWN_ORG], [f"unknown organization {UNKNOWN_ORG}"]),
        (["--bogus"], ["unrecognized arguments: --bogus"]),
    ],
)
def test_cli_bad_input_is_one_clear_line_and_changes_nothing(scenario_db, cli_env, args, fragments) -> None:
    url, _ = scenario_db
    before = checksum(url)
    result = prometric("run", "reconcile", *args, env=operator_env(cli_env, url))
    assert_one_clear_line(result, *fragments)
    assert result.stdout == ""
    assert checksum(url) == before


def test_cli_unreachable_database_is_one_clear_line(cli_env) -> None:
    unreachable = "postgresql://nobody:secret@127.0.0.1:9/nowhere"
    env = {**cli_env, "DATABASE_URL": unreachable, "JOBS_DATABASE_URL": unreachable}
    result = prometric("run", "reconcile", "--apply", env=env)
    assert_one_clear_line(result)
    assert "secret" not in result.stderr


# ---- faults --------------------------------------------------------------------------------


def blocked_backends(engine: Engine, database: str, wait_event: str | None = None) -> list[int]:
    with engine.connect() as conn:
        sql = """SELECT pid FROM pg_stat_activity WHERE datname = :db AND application_name = 'prometric'
                 AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"""
        if wait_event:
            sql += " AND wait_event = :event"
        return list(conn.execute(text(sql), {"db": database, "event": wait_event}).scalars())


def clone(databases, url: URL, purpose: str) -> URL:
    return databases.create(purpose, template=url.database)


def start_cli(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "prometric_pipelines.cli", "run", "reconcile", *args],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_sigkill_mid_run_then_a_rerun_equals_one_clean_run(scenario_db, databases, cli_env) -> None:
    url, ids = scenario_db
    clean_url = clone(databases, url, "stock_clean_of_killed")
    before = checksum(url)
    env = operator_env(cli_env, url)
    owner = create_db_engine(url)
    blocker = owner.connect()
    # the last write of the first organization's transaction waits here, after its findings,
    # adjustments, product updates and audit rows are written (uncommitted)
    blocker.execute(text("LOCK TABLE notifications IN ACCESS EXCLUSIVE MODE"))
    # the organization whose run writes all four tables (organizations run in id order, which is random)
    process = start_cli(env, "--apply", "--org", str(ids["org"]))
    try:
        # blocked on the notifications table itself (not a passing wait of another kind on a busy machine)
        pid = wait_for(lambda: blocked_backends(owner, url.database, "relation"), timeout=120, what="the run to block")[
            0
        ]

        def tables_written() -> int:
            with owner.connect() as conn:
                return conn.execute(
                    text("""SELECT count(DISTINCT l.relation) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                            WHERE l.pid = :p AND l.granted AND c.relname IN
                            ('stock_discrepancies', 'stock_movements', 'products', 'audit_logs')
                            AND l.mode = 'RowExclusiveLock'"""),
                    {"p": pid},
                ).scalar_one()

        wait_for(lambda: tables_written() == 4, timeout=30, what="the run to hold its four written tables")
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
        blocker.rollback()

        with owner.connect() as watcher:
            wait_for_backend_to_end(watcher, pid)
    finally:
        blocker.close()
        if process.poll() is None:
            process.kill()
    owner.dispose()
    assert checksum(url) == before  # nothing half-done is left

    rerun = prometric("run", "reconcile", "--apply", env=env, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    clean = prometric("run", "reconcile", "--apply", env=operator_env(cli_env, clean_url), timeout=300)
    assert clean.returncode == 0, clean.stderr
    assert outcome(url) == outcome(clean_url)
    assert len(outcome(url)["adjustments"]) == 2
    databases.drop(clean_url)


def test_two_concurrent_runs_of_a_day_are_serialised(scenario_db, databases, cli_env) -> None:
    url, _ = scenario_db
    sequential_url = clone(databases, url, "stock_sequential")
    env = operator_env(cli_env, url)
    owner = create_db_engine(url)
    blocker = owner.connect()
    blocker.execute(text("LOCK TABLE notifications IN ACCESS EXCLUSIVE MODE"))
    first = start_cli(env, "--apply")
    second = None
    try:
        wait_for(lambda: blocked_backends(owner, url.database, "relation"), timeout=120, what="the first run")
        second = start_cli(env, "--apply")
        # the second waits for the first on the organization's advisory lock, not on the table
        wait_for(lambda: blocked_backends(owner, url.database, "advisory"), timeout=120, what="the second run")
        blocker.rollback()
        results = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for p in (first, second)]
    finally:
        blocker.close()
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
    owner.dispose()
    assert [code for code, _, _ in results] == [0, 0], results
    # the same as two runs one after the other: adjustments posted once, one run row per organization
    engine = create_db_engine(sequential_url)
    reconcile(engine, RUN_DATE, apply=True)
    reconcile(engine, RUN_DATE, apply=True)
    engine.dispose()
    concurrent = outcome(url)
    assert concurrent == outcome(sequential_url)
    assert len(concurrent["adjustments"]) == 2 and len(concurrent["runs"]) == 2
    assert ("CREATE", "stock_movements", True, 2) in concurrent["audit"]
    databases.drop(sequential_url)
