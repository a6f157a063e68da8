"""A failed `prometric run …` reads as one line per failed organization or step, then where the full log
is; the framework's traceback only with --verbose; exit code 3 for a partial failure, 1 otherwise."""

from __future__ import annotations

import subprocess
import sys

import dagster as dg
import pytest
from sqlalchemy import text

from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.orchestration import QUIET_CONSOLE
from prometric_pipelines.run_failures import EXIT_FAILED, EXIT_PARTIAL, console_logger, describe_failure
from tests.operator import operator_env
from tests.test_payroll_jobs import staff

UI_PORT = "3101"


def partial_failure() -> dg.Failure:
    """What a job raises after committing the organizations that succeeded (the contract of issue 18)."""
    failed = [
        {
            "organization_id": "a1",
            "organization_name": "Acme",
            "step": "daily_metrics",
            "reason": "numeric field overflow",
        },
        {
            "organization_id": "b2",
            "organization_name": None,
            "step": "daily_metrics",
            "reason": "value out of range\nx",
        },
    ]
    return dg.Failure(
        description="partial: 2 of 5 organizations failed",
        metadata={
            "failed_organizations": dg.MetadataValue.json(failed),
            "completed_organizations": dg.MetadataValue.int(3),
        },
        allow_retries=False,
    )


@dg.op
def daily_metrics() -> None:
    raise partial_failure()


@dg.op
def rollups() -> None:
    raise ValueError("division by zero in rollups\nmore detail")


@dg.job
def partial_job() -> None:
    daily_metrics()


@dg.job
def mixed_job() -> None:
    daily_metrics()
    rollups()


def execute(job: dg.JobDefinition, *, verbose: bool):
    with dg.DagsterInstance.ephemeral() as instance:
        return job.with_logger_defs({"console": console_logger(verbose=verbose)}).execute_in_process(
            run_config=QUIET_CONSOLE, instance=instance, raise_on_error=False
        )


def test_a_partial_failure_is_one_line_per_organization_and_exit_code_3(capfd, monkeypatch):
    monkeypatch.setenv("PROMETRIC_UI_PORT", UI_PORT)
    result = execute(partial_job, verbose=False)
    printed = capfd.readouterr()
    assert "Stack Trace" not in printed.out + printed.err and "STEP_FAILURE" not in printed.out + printed.err

    failure = describe_failure("partial_job", result.run_id, result.all_events)
    run = result.run_id
    assert failure.exit_code == EXIT_PARTIAL == 3
    assert failure.lines == [
        "daily_metrics: Acme (a1): numeric field overflow",
        "daily_metrics: b2: value out of range",
        "partial: 2 of 5 organizations failed; the others are written. "
        f"Full log: run {run} (http://127.0.0.1:{UI_PORT}/runs/{run})",
    ]
    assert "partial: 2 of 5 organizations failed" in failure.tracebacks[0]  # kept for --verbose


def test_verbose_keeps_the_framework_traceback(capfd):
    execute(partial_job, verbose=True)
    printed = capfd.readouterr()
    assert "Stack Trace" in printed.out + printed.err


def test_any_other_failure_is_one_line_per_step_and_exit_code_1(capfd, monkeypatch):
    monkeypatch.setenv("PROMETRIC_UI_PORT", UI_PORT)
    result = execute(mixed_job, verbose=False)
    printed = capfd.readouterr()
    assert "Stack Trace" not in printed.out + printed.err

    failure = describe_failure("mixed_job", result.run_id, result.all_events)
    run = result.run_id
    assert failure.exit_code == EXIT_FAILED == 1
    assert sorted(failure.lines[:-1]) == [
        "daily_metrics: Acme (a1): numeric field overflow",
        "daily_metrics: b2: value out of range",
        "rollups: division by zero in rollups",
    ]
    assert failure.lines[-1] == f"mixed_job failed. Full log: run {run} (http://127.0.0.1:{UI_PORT}/runs/{run})"


@pytest.fixture
def broken_payroll(databases, template_database, cli_env):
    """A real job of the code location that fails: its skip table is gone."""
    url = databases.create("run_failures", template=template_database)
    engine = create_db_engine(url)
    staff(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE payroll_skips"))
    engine.dispose()
    env = {
        **operator_env(cli_env, url),
        "PROMETRIC_UI_PORT": UI_PORT,
        "PYTHONWARNINGS": "ignore",  # Dagster's BetaWarnings are not what this test reads
    }
    yield env
    databases.drop(url)


def prometric(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "prometric_pipelines.cli", *args], env=env, capture_output=True, text=True, timeout=600
    )


def test_a_failing_job_prints_its_reason_and_where_the_full_log_is(broken_payroll):
    quiet = prometric(broken_payroll, "run", "payroll", "--month", "2026-02")
    assert quiet.returncode == 1, quiet.stderr
    lines = quiet.stderr.splitlines()
    run = lines[-1].split()[5]
    assert lines == [
        'payroll_run: relation "payroll_skips" does not exist',
        f"payroll_job failed. Full log: run {run} (http://127.0.0.1:{UI_PORT}/runs/{run})",
    ]
    assert "Stack Trace" not in quiet.stdout and "Traceback" not in quiet.stdout

    verbose = prometric(broken_payroll, "--verbose", "run", "payroll", "--month", "2026-02")
    assert verbose.returncode == 1
    assert "Stack Trace" in verbose.stdout + verbose.stderr
    assert verbose.stderr.splitlines()[-2] == 'payroll_run: relation "payroll_skips" does not exist'
