"""Operating the code location: schedules (cron, timezone, target, evaluation), pool and retry settings
on every job, the run-failure notifications sensor on real failed runs, and partition freshness."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
import yaml
from dagster._core.storage.tags import WILL_RETRY_TAG
from sqlalchemy import text

from prometric_pipelines.config import PROJECT_ROOT, SCHEDULES_VARIABLE
from prometric_pipelines.definitions import defs
from prometric_pipelines.defs.metrics.checks import DAILY_METRICS_FRESHNESS, daily_metrics_freshness
from prometric_pipelines.defs.monitoring.sensors import run_failure_notifications
from prometric_pipelines.defs.payroll.assets import payroll_run
from prometric_pipelines.defs.payroll.checks import PAYROLL_FRESHNESS, payroll_freshness
from prometric_pipelines.lib.automation import default_schedule_status, default_sensor_status
from prometric_pipelines.lib.freshness import partition_freshness
from prometric_pipelines.lib.resources import PostgresResource
from prometric_pipelines.monitoring.failures import FailedRun, notify_owners, organizations_in_run
from prometric_pipelines.monitoring.freshness import expected_daily_partition, expected_payroll_month
from tests.factories import make, make_tenant
from tests.faults.isolation import notified
from tests.waiting import wait_for

ALMATY = ZoneInfo("Asia/Almaty")
REPOSITORY = defs.get_repository_def()

# every schedule of the code location: cron, job (all in Asia/Almaty). A new schedule must be added here.
SCHEDULES = {
    "metrics_nightly_schedule": ("0 1 * * *", "metrics_job"),
    "metrics_per_organization_schedule": ("0 1 * * *", "metrics_job"),
    "payroll_schedule": ("0 6 1 * *", "payroll_job"),
    "payroll_per_organization_schedule": ("0 6 1 * *", "payroll_job"),
    "stock_reconciliation_schedule": ("0 2 * * *", "stock_reconciliation_job"),
    "audit_archive_schedule": ("0 3 1 * *", "audit_archive_job"),
    "freshness_checks_schedule": ("5 3 * * *", "freshness_checks_job"),
    "database_health_schedule": ("15 * * * *", "database_health_job"),
    "database_backup_schedule": ("30 3 * * *", "database_backup_job"),
    "table_statistics_schedule": ("30 4 * * *", "table_statistics_job"),
    "vacuum_schedule": ("0 5 * * 0", "vacuum_job"),
    "backup_restore_check_schedule": ("0 6 * * 0", "backup_restore_check_job"),
    "reindex_schedule": ("30 5 2 * *", "reindex_job"),
}


def at_almaty(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ALMATY)


# ---- schedules --------------------------------------------------------------------------------------


def test_every_schedule_has_the_specs_cron_almaty_timezone_and_job():
    found = {s.name: (s.cron_schedule, s.job_name) for s in REPOSITORY.schedule_defs}
    assert found == SCHEDULES
    assert {s.execution_timezone for s in REPOSITORY.schedule_defs} == {"Asia/Almaty"}


@pytest.mark.parametrize(
    ("schedule", "when", "partition_key", "run_key"),
    [
        # 1 Jan 2026 06:00 Almaty: December's payroll; on 1 March, February (not January)
        ("payroll_schedule", at_almaty(2026, 1, 1, 6), "2025-12-01", "payroll-2025-12"),
        ("payroll_schedule", at_almaty(2026, 3, 1, 6), "2026-02-01", "payroll-2026-02"),
        # 02:00 Almaty on 10 March is 21:00 UTC on the 9th: the day reconciled is the Almaty day, the 10th
        ("stock_reconciliation_schedule", at_almaty(2026, 3, 10, 2), "2026-03-10", "stock-2026-03-10"),
        # the 1st at 03:00: the partition of the month that just ended
        ("audit_archive_schedule", at_almaty(2026, 11, 1, 3), "2026-10-01", "audit_archive_2026-10-01"),
    ],
)
def test_schedule_evaluation_gives_the_partition_of_the_time(schedule, when, partition_key, run_key):
    definition = REPOSITORY.get_schedule_def(schedule)
    with dg.build_schedule_context(scheduled_execution_time=when, repository_def=REPOSITORY) as context:
        request = definition.evaluate_tick(context).run_requests[0]
    assert (request.partition_key, request.run_key) == (partition_key, run_key)


def test_metrics_schedule_evaluation_asks_for_yesterday_and_the_changed_days():
    definition = REPOSITORY.get_schedule_def("metrics_nightly_schedule")
    # 1 March 2026, 01:00 Almaty (28 Feb 20:00 UTC): yesterday is 28 Feb (earlier days: those that changed)
    with dg.build_schedule_context(
        scheduled_execution_time=at_almaty(2026, 3, 1, 1), repository_def=REPOSITORY
    ) as context:
        request = definition.evaluate_tick(context).run_requests[0]
    assert request.tags["dagster/asset_partition_range_start"] == "2026-02-28"
    assert request.tags["dagster/asset_partition_range_end"] == "2026-02-28"
    assert request.tags["prometric/metrics_nightly"] == "changes"
    assert request.run_key == "metrics-2026-02-28"


def test_schedules_run_only_when_the_environment_says_so(monkeypatch):
    monkeypatch.delenv(SCHEDULES_VARIABLE, raising=False)
    assert default_schedule_status() == dg.DefaultScheduleStatus.STOPPED
    monkeypatch.setenv(SCHEDULES_VARIABLE, "running")
    assert default_schedule_status() == dg.DefaultScheduleStatus.RUNNING
    monkeypatch.setenv(SCHEDULES_VARIABLE, "no")
    assert default_schedule_status() == dg.DefaultScheduleStatus.STOPPED
    # the per-organization pair is always stopped at first: the operator switches on one of the two
    for name in ("metrics_per_organization_schedule", "payroll_per_organization_schedule"):
        assert REPOSITORY.get_schedule_def(name).default_status == dg.DefaultScheduleStatus.STOPPED


# ---- pools and retries --------------------------------------------------------------------------------


# one per login (jobs, maintenance, the schema's owner): each reaches the operational database
DATABASE_RESOURCES = {"postgres", "maintenance_postgres", "schema_postgres"}


def _nodes_using_postgres() -> dict[str, str | None]:
    """Every op (asset, check or plain op) of every job that requires a database resource → its pool."""
    nodes: dict[str, str | None] = {}
    for job in REPOSITORY.get_all_jobs():
        for node in job.graph.iterate_op_defs():
            if DATABASE_RESOURCES & set(node.required_resource_keys):
                nodes[node.name] = node.pool
    return nodes


def test_every_database_heavy_op_and_asset_is_in_the_postgres_pool():
    nodes = _nodes_using_postgres()
    # the domains' assets and the restore op, found by iterating the jobs (not a hard-coded list)
    assert {
        "daily_metrics", "payroll_run", "stock_reconciliation", "audit_archive", "restore_audit_month",
        "table_statistics", "vacuum", "reindex", "database_backup", "database_health",
        "database_backup_backup_restore_check",
    } <= set(nodes)  # fmt: skip
    assert {name: pool for name, pool in nodes.items() if pool != "postgres"} == {}
    for assets_def in REPOSITORY.assets_defs_by_key.values():
        if assets_def.is_executable and DATABASE_RESOURCES & set(assets_def.required_resource_keys):
            assert assets_def.op.pool == "postgres", assets_def.key


def _instance_settings(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


@pytest.mark.parametrize("path", [PROJECT_ROOT / "dagster.yaml", PROJECT_ROOT / "deploy" / "dagster.yaml"])
def test_every_job_is_retried_by_the_instance_or_its_own_tag(path):
    settings = _instance_settings(path)
    instance_retries = settings["run_retries"]["max_retries"] if settings["run_retries"]["enabled"] else 0
    assert instance_retries >= 1
    for job in REPOSITORY.get_all_jobs():
        retries = int(job.tags.get("dagster/max_retries", instance_retries))
        assert retries >= 1, job.name
    pools = settings["concurrency"]["pools"]
    assert pools.get("default_limit", 0) >= 1 or "postgres" in pools


def test_the_production_coordinator_limits_runs_backfills_and_fan_out():
    settings = _instance_settings(PROJECT_ROOT / "deploy" / "dagster.yaml")
    assert settings["run_coordinator"]["class"] == "QueuedRunCoordinator"
    runs = settings["concurrency"]["runs"]
    limits = {limit["key"]: limit for limit in runs["tag_concurrency_limits"]}
    assert limits["dagster/backfill"]["limit"] >= 1
    assert limits["prometric/fan_out"]["limit"] >= 1
    assert runs["max_concurrent_runs"] > limits["dagster/backfill"]["limit"]
    assert settings["concurrency"]["pools"]["default_limit"] >= 1
    # storage in its own database, from the environment; never the operational DATABASE_URL
    postgres_db = settings["storage"]["postgres"]["postgres_db"]
    assert postgres_db["db_name"] == {"env": "DAGSTER_PG_DB"}
    settings_lines = (PROJECT_ROOT / "deploy" / "dagster.yaml").read_text().splitlines()
    assert not [line for line in settings_lines if "DATABASE_URL" in line and not line.lstrip().startswith("#")]


# ---- the run-failure sensor ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tenants(engine) -> dict[str, object]:
    """Organizations A, B, C. Owners: A has a1 and a2, B has b1, C has c1; user x owns A and B.
    Not owners: a manager of A, a deleted owner employee of B."""
    with engine.begin() as conn:
        t = {name: make_tenant(conn) for name in "ABC"}
        org = {name: str(t[name]["organization"]["id"]) for name in "ABC"}
        owners: dict[str, list[str]] = {name: [] for name in "ABC"}

        def employee(name: str, role: str, user=None, **extra) -> str:
            user = user or make(conn, "users", status="active")
            make(conn, "employees", organizationId=org[name], userId=user["id"], organizationRole=role, **extra)
            return str(user["id"])

        owners["A"] += [employee("A", "owner"), employee("A", "owner")]
        owners["B"].append(employee("B", "owner"))
        owners["C"].append(employee("C", "owner"))
        x = make(conn, "users", status="active")
        employee("A", "owner", user=x)
        employee("B", "owner", user=x)
        employee("A", "manager")
        employee("B", "owner", deletedAt=dt.datetime(2026, 1, 1))
    return {"org": org, "owners": owners, "x": str(x["id"])}


def _failed_payroll_run(instance: dg.DagsterInstance, organization_ids: list[str]) -> dg.ExecuteInProcessResult:
    """A real failed run: payroll for the given organizations against a database that does not exist."""
    unreachable = PostgresResource(database_url="postgresql://nobody@127.0.0.1:1/no_such_database")
    result = dg.materialize(
        [payroll_run],
        partition_key="2026-02-01",
        resources={"postgres": unreachable},
        instance=instance,
        run_config={"ops": {"payroll_run": {"config": {"organization_ids": organization_ids}}}},
        raise_on_error=False,
    )
    assert not result.success
    return result


def _evaluate_sensor(instance, result, database_url) -> None:
    run = instance.get_run_by_id(result.run_id)
    with dg.build_run_status_sensor_context(
        sensor_name="run_failure_notifications",
        dagster_event=result.get_run_failure_event(),
        dagster_instance=instance,
        dagster_run=run,
        resources={"postgres": PostgresResource(database_url=database_url.render_as_string(hide_password=False))},
    ) as context:
        run_failure_notifications(context.for_run_failure())


def test_a_failed_run_notifies_each_owner_of_its_organizations_once(engine, database_url, tenants):
    org, owners = tenants["org"], tenants["owners"]
    with dg.DagsterInstance.ephemeral() as instance:
        result = _failed_payroll_run(instance, [org["A"], org["B"]])
        _evaluate_sensor(instance, result, database_url)
        rows = notified(engine, result.run_id)
        # a1, a2, b1 and x (who owns both, once): 4 rows; not C's owner, the manager or the deleted owner
        expected_users = sorted([*owners["A"], *owners["B"], tenants["x"]])
        assert [user for user, _, _ in rows] == expected_users
        by_user = {user: orgs for user, orgs, _ in rows}
        assert by_user[tenants["x"]] == sorted([org["A"], org["B"]])
        assert by_user[owners["A"][0]] == [org["A"]]
        assert all(f"Run {result.run_id} at step payroll_run: " in message for _, _, message in rows)

        _evaluate_sensor(instance, result, database_url)  # again: nothing new
        assert notified(engine, result.run_id) == rows


def test_a_run_for_all_organizations_failing_as_a_whole_notifies_no_tenant(engine, database_url, tenants):
    """A platform failure (here: no database) is not one tenant's business: nobody's inbox fills up."""
    with dg.DagsterInstance.ephemeral() as instance:
        result = _failed_payroll_run(instance, [])
        _evaluate_sensor(instance, result, database_url)
    assert notified(engine, result.run_id) == []


def test_a_run_that_will_be_retried_notifies_nobody_yet(engine, database_url, tenants):
    with dg.DagsterInstance.ephemeral() as instance:
        result = _failed_payroll_run(instance, [tenants["org"]["C"]])
        instance.add_run_tags(result.run_id, {WILL_RETRY_TAG: "true"})
        _evaluate_sensor(instance, result, database_url)
        assert notified(engine, result.run_id) == []
        instance.add_run_tags(result.run_id, {WILL_RETRY_TAG: "false"})  # the last attempt
        _evaluate_sensor(instance, result, database_url)
    assert [user for user, _, _ in notified(engine, result.run_id)] == tenants["owners"]["C"]


def test_organizations_of_a_run_come_from_any_ops_config_or_the_fan_out_tag():
    a, b = str(uuid.UUID(int=1)), str(uuid.UUID(int=2))
    config = {"ops": {"daily_metrics": {"config": {"organization_ids": [b, a]}}, "kpi_values": {"config": {}}}}
    assert organizations_in_run(config, {}) == [a, b]
    assert organizations_in_run({}, {"prometric/organization": a}) == [a]
    assert organizations_in_run({"ops": {"x": {"config": {"organization_ids": ["not-a-uuid"]}}}}, {}) is None
    assert organizations_in_run({"ops": {"x": {"config": {"organization_ids": None}}}}, None) is None


# ---- freshness ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at_almaty(2026, 3, 10, 2, 59), dt.date(2026, 3, 8)),  # before 03:00: the previous deadline's day
        (at_almaty(2026, 3, 10, 3, 0), dt.date(2026, 3, 9)),  # from 03:00: yesterday
        (at_almaty(2026, 3, 1, 3, 30), dt.date(2026, 2, 28)),
        (dt.datetime(2026, 3, 9, 21, 30, tzinfo=dt.UTC), dt.date(2026, 3, 8)),  # 02:30 on the 10th in Almaty
    ],
)
def test_expected_daily_metrics_partition(now, expected):
    assert expected_daily_partition(now) == expected


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at_almaty(2026, 3, 1, 23, 59), dt.date(2026, 1, 1)),  # the 1st: February's deadline not yet passed
        (at_almaty(2026, 3, 2, 0, 0), dt.date(2026, 2, 1)),
        (at_almaty(2026, 3, 31, 12), dt.date(2026, 2, 1)),
        (at_almaty(2026, 1, 5), dt.date(2025, 12, 1)),
        (at_almaty(2026, 1, 1, 8), dt.date(2025, 11, 1)),
    ],
)
def test_expected_payroll_month(now, expected):
    assert expected_payroll_month(now) == expected


def test_freshness_policies_are_the_deadlines_in_almaty():
    specs = {spec.key.to_user_string(): spec for spec in defs.resolve_all_asset_specs()}
    assert specs["daily_metrics"].freshness_policy == DAILY_METRICS_FRESHNESS
    assert (DAILY_METRICS_FRESHNESS.deadline_cron, DAILY_METRICS_FRESHNESS.timezone) == ("0 3 * * *", "Asia/Almaty")
    assert DAILY_METRICS_FRESHNESS.lower_bound_delta == dt.timedelta(hours=3)
    assert specs["payroll_run"].freshness_policy == PAYROLL_FRESHNESS
    assert (PAYROLL_FRESHNESS.deadline_cron, PAYROLL_FRESHNESS.lower_bound_delta) == ("0 0 2 * *", dt.timedelta(days=1))


def _report(instance: dg.DagsterInstance, asset: str, partition: str) -> None:
    instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=asset, partition=partition))


def test_partition_freshness_checks_want_exactly_the_expected_partition():
    now = dt.datetime.now(dt.UTC)
    day, month = expected_daily_partition(now), expected_payroll_month(now)
    with dg.DagsterInstance.ephemeral() as instance:
        assert not partition_freshness(instance, "daily_metrics", day.isoformat()).passed
        _report(instance, "daily_metrics", (day - dt.timedelta(days=1)).isoformat())  # the day before: not enough
        assert not partition_freshness(instance, "daily_metrics", day.isoformat()).passed
        _report(instance, "daily_metrics", day.isoformat())
        assert partition_freshness(instance, "daily_metrics", day.isoformat()).passed

        # the checks as Dagster runs them (real time, the job the schedule starts)
        job = defs.resolve_job_def("freshness_checks_job")
        first = job.execute_in_process(instance=instance)
        results = {e.check_name: e.passed for e in first.get_asset_check_evaluations()}
        assert results == {daily_metrics_freshness.check_key.name: True, payroll_freshness.check_key.name: False}
        _report(instance, "payroll_run", month.isoformat())
        second = job.execute_in_process(instance=instance)
        assert all(e.passed for e in second.get_asset_check_evaluations())
        description = next(e for e in second.get_asset_check_evaluations() if e.asset_key.path == ["payroll_run"])
        assert description.metadata["expected_partition"].value == month.isoformat()


def test_the_demo_starts_dagster_with_running_schedules_in_the_cli_instance(dagster_home):
    from prometric_pipelines.commands.demo import demo_dagster_environment

    env = demo_dagster_environment({"PATH": "/usr/bin"})
    assert env[SCHEDULES_VARIABLE] == "running"
    assert env["DAGSTER_HOME"] == str(dagster_home)  # where `prometric run …` records its runs too
    assert demo_dagster_environment({SCHEDULES_VARIABLE: "stopped"})[SCHEDULES_VARIABLE] == "stopped"


# ---- faults: a notifier killed inside its transaction, two evaluations at once -----------------------


def _owners_notified(engine, run_id: str) -> list[str]:
    return [user for user, _, _ in notified(engine, run_id)]


def test_a_notifier_killed_mid_transaction_writes_nothing_and_a_rerun_notifies_once(engine, database_url, tenants):

    run_id = str(uuid.uuid4())
    org_c = tenants["org"]["C"]
    script = (
        "import sys; from prometric_pipelines.db.engine import create_db_engine;"
        "from prometric_pipelines.monitoring.failures import FailedRun, notify_owners;"
        "notify_owners(create_db_engine(sys.argv[1]), FailedRun(sys.argv[2], 'payroll_job', 'payroll_run', 'x'),"
        " [sys.argv[3]])"
    )
    url = database_url.render_as_string(hide_password=False)
    blocker = engine.connect()
    # hold the run's lock: the child takes it inside its transaction, after its first statement
    blocker.execute(text("SELECT pg_advisory_lock(hashtextextended('prometric.run_failure:' || :r, 0))"), {"r": run_id})
    child = subprocess.Popen([sys.executable, "-c", script, url, run_id, org_c])
    try:
        wait_for(
            lambda: blocker.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                )
            ).scalar_one(),
            timeout=60,
            what="the notifier to wait for the run's lock",
        )
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        blocker.execute(text("SELECT pg_advisory_unlock_all()"))
        blocker.close()
    assert _owners_notified(engine, run_id) == []

    result = notify_owners(engine, FailedRun(run_id, "payroll_job", "payroll_run", "x"), [org_c])
    assert result.owners_notified == 1
    assert _owners_notified(engine, run_id) == tenants["owners"]["C"]


def test_two_evaluations_at_once_notify_each_owner_once(engine, tenants):

    run = FailedRun(str(uuid.uuid4()), "metrics_job", "daily_metrics", "boom")
    organizations = [tenants["org"]["A"], tenants["org"]["B"]]
    barrier = threading.Barrier(4)
    counts: list[int] = []

    def evaluate() -> None:
        barrier.wait()
        counts.append(notify_owners(engine, run, organizations).owners_notified)

    threads = [threading.Thread(target=evaluate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    expected = sorted([*tenants["owners"]["A"], *tenants["owners"]["B"], tenants["x"]])
    assert sorted(counts) == [0, 0, 0, len(expected)]  # one evaluation wrote, the others found its rows
    assert _owners_notified(engine, run.run_id) == expected


def test_rollups_follow_a_daily_metrics_partition_through_their_automation_sensor(monkeypatch):
    from prometric_pipelines.defs.metrics.assets import daily_metrics, kpi_values, rollup_assets
    from prometric_pipelines.defs.metrics.schedules import metrics_automation_sensor

    followers = {asset.key for asset in (*rollup_assets, kpi_values)}
    # every asset with an automation condition is evaluated by our sensor, not by Dagster's implicit (stopped) one
    conditioned = {node.key for node in REPOSITORY.asset_graph.asset_nodes if node.automation_condition}
    assert conditioned == followers
    assert metrics_automation_sensor.asset_selection.resolve(REPOSITORY.asset_graph) == followers
    # the same switch as the schedules: on in the demo and in production, off on a developer's `prometric ui`
    monkeypatch.setenv(SCHEDULES_VARIABLE, "running")
    assert default_sensor_status() == dg.DefaultSensorStatus.RUNNING
    monkeypatch.delenv(SCHEDULES_VARIABLE)
    assert default_sensor_status() == dg.DefaultSensorStatus.STOPPED

    # the newest daily_metrics partition, materialized outside metrics_job, makes the sensor request the same
    # partition of every rollup and kpi_values: the never-materialized ERP table deps do not hold them back
    newest = daily_metrics.partitions_def.get_last_partition_key()
    with dg.instance_for_test() as instance:
        first = dg.evaluate_automation_conditions(defs=defs, instance=instance)
        assert first.total_requested == 0
        instance.report_runless_asset_event(dg.AssetMaterialization(daily_metrics.key, partition=newest))
        second = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=first.cursor)
        requested = {key: second.get_requested_partitions(key) for key in followers}
        assert requested == {key: {newest} for key in followers}
        third = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=second.cursor)
        assert third.total_requested == 0  # requested once, not on every tick
