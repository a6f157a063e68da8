"""The Dagster instances for real: the production dagster.yaml on a PostgreSQL database of its own, and
the daemon of a scratch instance turning a schedule tick into a run."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import dagster as dg
import psycopg
import pytest

from prometric_pipelines.config import PROJECT_ROOT, libpq_url
from prometric_pipelines.definitions import defs
from prometric_pipelines.errors import ConfigError
from prometric_pipelines.monitoring.instance import check_dagster_storage
from tests.waiting import wait_for


@pytest.fixture
def production_home(databases, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """$DAGSTER_HOME holding deploy/dagster.yaml, its DAGSTER_PG_* pointing at a fresh database."""
    url = databases.create("dagster_storage")
    home = tmp_path / "dagster-home"
    home.mkdir()
    shutil.copyfile(PROJECT_ROOT / "deploy" / "dagster.yaml", home / "dagster.yaml")
    for variable, value in {
        "DAGSTER_PG_USERNAME": url.username,
        "DAGSTER_PG_PASSWORD": url.password or "",
        "DAGSTER_PG_HOST": url.host,
        "DAGSTER_PG_DB": url.database,
        "DAGSTER_PG_PORT": str(url.port or 5432),
    }.items():
        monkeypatch.setenv(variable, value)
    yield home
    databases.drop(url)


def test_the_production_instance_stores_runs_in_its_own_postgres_database(production_home, database_url):
    with dg.DagsterInstance.from_config(str(production_home)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        assert type(instance.schedule_storage).__name__ == "PostgresScheduleStorage"
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 8
        assert instance.run_retries_enabled and instance.run_retries_max_retries == 2
        # a dead run never keeps pool slots: the monitor frees those of ended runs
        assert instance.run_monitoring_enabled
        assert instance.run_monitoring_settings["free_slots_after_run_end_seconds"] == 60
        result = defs.resolve_job_def("freshness_checks_job").execute_in_process(
            instance=instance, tags={"prometric/test": "production-yaml"}
        )
        run_id = result.run_id
    # a new instance from the same file reads the run back, with its events
    with dg.DagsterInstance.from_config(str(production_home)) as instance:
        run = instance.get_run_by_id(run_id)
        assert run is not None and run.job_name == "freshness_checks_job"
        assert run.tags["prometric/test"] == "production-yaml"
        assert run.status == dg.DagsterRunStatus.SUCCESS
        checks = [
            e
            for e in instance.all_logs(run_id)
            if e.dagster_event and e.dagster_event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION
        ]
        assert len(checks) == 2
    # the rows are in that database (not SQLite files), and the operational database has no Dagster table
    dagster_db = os.environ["DAGSTER_PG_DB"]
    operational = database_url
    with psycopg.connect(libpq_url(operational.set(database=dagster_db))) as conn:
        assert conn.execute("SELECT count(*) FROM runs WHERE run_id = %s", (run_id,)).fetchone()[0] == 1
    with psycopg.connect(libpq_url(operational)) as conn:
        found = conn.execute("SELECT count(*) FROM pg_tables WHERE tablename IN ('runs', 'event_logs')").fetchone()[0]
        assert found == 0
    assert not list(production_home.glob("**/*.db"))


LOCATION = textwrap.dedent(
    """
    import dagster as dg

    @dg.op
    def tick_op() -> int:
        return 1

    @dg.job
    def tick_job():
        tick_op()

    @dg.schedule(job=tick_job, cron_schedule="* * * * *", execution_timezone="Asia/Almaty",
                 default_status=dg.DefaultScheduleStatus.RUNNING)
    def every_minute_schedule(context):
        return dg.RunRequest(run_key=context.scheduled_execution_time.isoformat())

    defs = dg.Definitions(jobs=[tick_job], schedules=[every_minute_schedule])
    """
)


def test_the_daemon_turns_a_schedule_tick_into_a_run(tmp_path: Path):
    home = tmp_path / "dagster-home"
    home.mkdir()
    shutil.copyfile(PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")  # the local instance file
    (tmp_path / "location.py").write_text(LOCATION)
    (tmp_path / "workspace.yaml").write_text(
        "load_from:\n  - python_file:\n      relative_path: location.py\n      location_name: ticks\n"
    )
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    daemon = subprocess.Popen(
        [str(Path(sys.executable).parent / "dagster-daemon"), "run", "-w", str(tmp_path / "workspace.yaml")],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    started = time.monotonic()
    try:
        with dg.DagsterInstance.from_config(str(home)) as instance:

            def scheduled_runs():
                return instance.get_runs(filters=dg.RunsFilter(tags={"dagster/schedule_name": "every_minute_schedule"}))

            # the first tick comes at the next minute boundary: at most ~60 s plus the daemon's start
            runs = wait_for(scheduled_runs, timeout=80, what="a run from a schedule tick")
            assert daemon.poll() is None, "the daemon exited"
            assert [run.job_name for run in runs] == ["tick_job"]
            state = next(s for s in instance.all_instigator_state() if s.name == "every_minute_schedule")

            def tick_with_the_run():
                ticks = instance.get_ticks(state.instigator_origin_id, state.selector_id)
                return [tick for tick in ticks if runs[0].run_id in tick.run_ids]

            assert (
                wait_for(tick_with_the_run, timeout=15, what="the tick to record its run")[0].status.value == "SUCCESS"
            )
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        try:
            daemon.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)
            daemon.wait()
    assert time.monotonic() - started < 120


@pytest.mark.parametrize(
    ("environ", "refused"),
    [
        ({"DAGSTER_PG_DB": "erp", "DAGSTER_PG_HOST": "db", "DATABASE_URL": "postgresql://u@db:5432/erp"}, True),
        (
            {"DAGSTER_PG_DB": "erp", "DAGSTER_PG_HOST": "127.0.0.1", "DATABASE_URL": "postgresql://u@localhost/erp"},
            True,
        ),
        ({"DAGSTER_PG_DB": "dagster", "DAGSTER_PG_HOST": "db", "DATABASE_URL": "postgresql://u@db/erp"}, False),
        ({"DAGSTER_PG_DB": "erp", "DAGSTER_PG_HOST": "other", "DATABASE_URL": "postgresql://u@db/erp"}, False),
        ({"DAGSTER_PG_DB": "erp", "DAGSTER_PG_PORT": "5433", "DATABASE_URL": "postgresql://u@localhost/erp"}, False),
        ({"DATABASE_URL": "postgresql://u@db/erp"}, False),  # local instance (SQLite): nothing to check
    ],
)
def test_dagster_storage_in_the_operational_database_is_refused(environ, refused):
    if refused:
        with pytest.raises(ConfigError, match="is the operational database"):
            check_dagster_storage(environ)
    else:
        check_dagster_storage(environ)


def test_the_code_location_refuses_to_load_on_the_operational_database(database_url):
    url = database_url
    env = {
        **os.environ,
        "DATABASE_URL": url.render_as_string(hide_password=False),
        "DAGSTER_PG_DB": url.database,
        "DAGSTER_PG_HOST": url.host,
        "DAGSTER_PG_PORT": str(url.port),
    }
    result = subprocess.run(
        [sys.executable, "-c", "import prometric_pipelines.definitions"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert f"DAGSTER_PG_DB '{url.database}' is the operational database of DATABASE_URL" in result.stderr
