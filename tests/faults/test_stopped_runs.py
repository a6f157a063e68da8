"""Runs that wait say what for, and Ctrl-C / SIGTERM stop them within seconds, leaving nothing held:
one waits for a lock another session holds, one for a slot of the full `postgres` pool."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.execution.plan.instance_concurrency_context import InstanceConcurrencyContext
from sqlalchemy import text

from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.sql import load_sql
from prometric_pipelines.supervision import fix_pending_claim_interval, launcher_is_gone, launcher_tags
from tests.faults.cli_process import CliProcess, claimed_slots, local_instance
from tests.operator import operator_env
from tests.test_payroll_jobs import staff

pytestmark = pytest.mark.faults

MONTH = "2026-02"


@pytest.fixture
def tenant(databases, template_database, cli_env, request):
    url = databases.create(f"stopped_{request.node.name}"[:40], template=template_database)
    engine = create_db_engine(url)
    org = str(staff(engine)["organization"]["id"])
    env = operator_env(cli_env, url)
    yield {"engine": engine, "org": org, "env": env, "home": Path(env["PROMETRIC_HOME"])}
    engine.dispose()
    databases.drop(url)


def test_a_run_blocked_on_a_lock_names_the_blocker_and_sigterm_stops_it(tenant):
    engine, org = tenant["engine"], tenant["org"]
    blocker = engine.connect()
    blocker.execute(load_sql("payroll", "lock_month"), {"organization_id": org, "period": MONTH})
    blocker_pid = blocker.execute(text("SELECT pg_backend_pid()")).scalar_one()
    process = CliProcess(["run", "payroll", "--month", MONTH, "--org", org], tenant["env"])
    try:
        line = process.wait_for_line("waiting since", "the run to say what it waits for")
        assert f"for an advisory lock held by server process {blocker_pid} (prometric, user " in line
        assert ", idle in transaction since " in line

        process.process.send_signal(signal.SIGTERM)
        assert process.finish() == 128 + signal.SIGTERM
    finally:
        process.kill()
        blocker.close()
    stopped = [line for line in process.stderr if line.startswith("prometric: stopped by SIGTERM: run ")]
    assert len(stopped) == 1, process.output()
    run_id = stopped[0].split()[5]
    with local_instance(tenant["home"]) as instance:
        assert instance.get_run_by_id(run_id).status in (dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED)
        assert claimed_slots(instance) == []
    with engine.connect() as conn:  # its statement was cancelled: no session of the run is left waiting
        waiting = (
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        assert conn.execute(text(waiting)).scalar_one() == 0
        assert conn.execute(text('SELECT count(*) FROM payroll WHERE "organizationId" = :o'), {"o": org}).scalar() == 0


def test_a_run_waiting_for_a_pool_slot_names_the_runs_holding_them_and_ctrl_c_stops_it(tenant):
    # two live runs (of this test process, so not dead) hold both slots of the local `postgres` pool
    with local_instance(tenant["home"]) as instance:
        holders = []
        for index in range(2):
            run = instance.add_run(
                dg.DagsterRun(
                    job_name="holder_job",
                    run_id=str(uuid.uuid4()),
                    tags=launcher_tags(),
                    status=dg.DagsterRunStatus.STARTED,
                )
            )
            instance.event_log_storage.initialize_concurrency_limit_to_default("postgres")
            assert instance.event_log_storage.claim_concurrency_slot("postgres", run.run_id, f"step_{index}").is_claimed
            holders.append(run.run_id)

    process = CliProcess(["run", "payroll", "--month", MONTH, "--org", tenant["org"]], tenant["env"])
    try:
        line = process.wait_for_line("waiting since", "the run to say what it waits for")
        assert "for a slot of pool 'postgres' (2 of 2 held: " in line
        for index, run_id in enumerate(holders):
            assert f"run {run_id[:8]} (holder_job step_{index}, started, pid {os.getpid()})" in line
        process.process.send_signal(signal.SIGINT)
        assert process.finish() == 128 + signal.SIGINT
    finally:
        process.kill()
    assert not [line for line in process.stdout if line.startswith("cleared")]  # the holders are alive
    stopped = [line for line in process.stderr if line.startswith("prometric: stopped by SIGINT: run ")]
    assert len(stopped) == 1, process.output()
    run_id = stopped[0].split()[5]
    with local_instance(tenant["home"]) as instance:
        assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.CANCELED
        info = instance.event_log_storage.get_concurrency_info("postgres")
        assert sorted(slot.run_id for slot in info.claimed_slots) == sorted(holders)
        assert [step.run_id for step in info.pending_steps if step.run_id == run_id] == []


def test_a_step_waiting_for_a_slot_sleeps_until_its_next_claim(tmp_path):
    """Dagster's in-process executor asked `interval_to_next_pending_claim_check` how long to sleep and
    got min(0, …) = 0: the blocked run spun at ~100% CPU and never looked at signals."""
    with local_instance(tmp_path) as instance:
        storage = instance.event_log_storage
        storage.initialize_concurrency_limit_to_default("postgres")
        for index in range(2):
            assert storage.claim_concurrency_slot("postgres", f"holder-{index}", "step").is_claimed
        run = instance.add_run(dg.DagsterRun(job_name="waiting_job", run_id=str(uuid.uuid4())))
        with InstanceConcurrencyContext(instance, run) as context:
            assert not context.claim("postgres", "payroll_run")
            fix_pending_claim_interval()
            assert context.interval_to_next_pending_claim_check() > 0


def test_a_launcher_is_gone_when_its_process_is_not_there_any_more():
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    mine = launcher_tags()
    assert launcher_is_gone({**mine, "prometric/launcher_pid": ended.stdout.strip()})
    assert not launcher_is_gone(mine)
    assert launcher_is_gone({**mine, "prometric/launcher_started": "1"})  # the pid now names another process
    assert not launcher_is_gone(
        {**mine, "prometric/launcher_pid": ended.stdout.strip(), "prometric/launcher_host": "x"}
    )
    assert not launcher_is_gone({})  # a run launched elsewhere (UI, daemon) is the run monitor's


def test_the_local_instance_monitors_runs_and_frees_the_slots_of_ended_runs(tmp_path):
    # the production file's settings are asserted on a real instance in tests/test_monitoring_instance.py
    with local_instance(tmp_path) as instance:
        settings = instance.run_monitoring_settings
        assert instance.run_monitoring_enabled
        assert 0 < settings["free_slots_after_run_end_seconds"] <= 60
        assert 0 < instance.run_monitoring_start_timeout_seconds <= 300
