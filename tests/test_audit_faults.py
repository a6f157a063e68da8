"""Archival killed (SIGKILL, a real `prometric run archive` process) after each protocol step, and
concurrent runs: nothing is lost or duplicated, the manifests agree with the files, verify is clean.
Each test runs against a local folder and against a bucket of a real S3-compatible server (SeaweedFS)."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from prometric_pipelines.audit.archive import STEPS
from prometric_pipelines.audit.storage import Archive
from prometric_pipelines.audit.verify import verify_archive
from prometric_pipelines.config import AUDIT_PAUSE_MARKER_VARIABLE as PAUSE_MARKER_VARIABLE
from prometric_pipelines.config import AUDIT_PAUSE_VARIABLE as PAUSE_VARIABLE
from prometric_pipelines.db.engine import create_db_engine
from tests.audit_cases import BEFORE, EXPECTED_PIECES, assert_exactly_once, live_rows, org_key, seed_history
from tests.operator import operator_env
from tests.waiting import wait_for


@pytest.fixture
def case(databases, template_database, tmp_path, cli_env, request, store):
    url = databases.create(f"auditf_{request.node.name}"[:40], template=template_database)
    engine = create_db_engine(url)
    with engine.begin() as conn:
        seeded = seed_history(conn)
    with engine.connect() as conn:
        originals = live_rows(conn)
    archive = Archive.from_url(store.url)
    env = {**operator_env(cli_env, url), **store.env, "ARCHIVE_URL": store.url}
    # where a run stages its files before publishing them: beside them on disk, under PROMETRIC_HOME for a bucket
    staging = archive.root if store.kind == "local" else Path(env["PROMETRIC_HOME"]) / "staging"
    yield {
        **seeded, "engine": engine, "archive": archive, "originals": originals, "env": env, "tmp": tmp_path,
        "staging": staging, "kind": store.kind,
    }  # fmt: skip
    engine.dispose()
    databases.drop(url)


def start_archive(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "prometric_pipelines.cli", "run", "archive", "--before", str(BEFORE)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def staged_files(case) -> list[str]:
    """The names of files a run staged and never published."""
    staging: Path = case["staging"]
    # staged as <name>.<8 hex digits>.tmp (a name of its own per writer)
    return (
        sorted(re.sub(r"\.[0-9a-f]{8}\.tmp$", ".tmp", p.name) for p in staging.rglob("*.tmp"))
        if staging.exists()
        else []
    )


def assert_consistent(case) -> None:
    engine, archive, orgs = case["engine"], case["archive"], case["orgs"]
    with engine.connect() as conn:
        assert_exactly_once(conn, archive, case["originals"])
        rows = conn.execute(
            text('SELECT "organizationId"::text AS org, year, month, "rowCount" AS n, path FROM audit_log_archives')
        ).all()
    assert {(org_key(orgs, r.org), r.year, r.month): r.n for r in rows} == EXPECTED_PIECES
    assert archive.parquet_keys() == sorted(r.path for r in rows)
    assert staged_files(case) == []
    if case["kind"] == "s3":  # no unfinished multipart upload either
        store = archive.store
        assert not store.client.list_multipart_uploads(Bucket=store.bucket).get("Uploads")
    report = verify_archive(engine, archive)
    assert report.clean, report.problems


@pytest.mark.parametrize("step", STEPS)
def test_killed_after_each_step_then_a_normal_run_converges(case, step):
    marker = case["tmp"] / "paused"
    process = start_archive({**case["env"], PAUSE_VARIABLE: step, PAUSE_MARKER_VARIABLE: str(marker)})
    try:
        wait_for(marker.exists, what=f"the run to reach step {step}")
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()

    engine, archive = case["engine"], case["archive"]
    with engine.connect() as conn:
        manifests = conn.execute(text("SELECT count(*) FROM audit_log_archives")).scalar_one()
        live = conn.execute(text("SELECT count(*) FROM audit_logs")).scalar_one()
    published = archive.parquet_keys()
    # January goes first, one file per organization with rows in it (one export of the month)
    january = sorted(
        f"{archive.month_dir(org, 2025, 1)}/part-0001.parquet" for org in (None, case["orgs"]["a"], case["orgs"]["b"])
    )
    # February (organization a alone) is exported, verified and published alongside January (two months
    # at once), and either month may reach the step first: the kill finds each month's files not yet
    # made, staged or (from "renamed" on) published, never with a manifest; only step 4 runs month by month
    february = [f"{archive.month_dir(case['orgs']['a'], 2025, 2)}/part-0001.parquet"]
    staged = staged_files(case)
    # (a bucket's staged file goes once its upload is complete: the kill may find a file in both states)
    assert set(staged) <= {"part-0001.parquet.tmp"} and len(staged) <= len(january + february)
    assert manifests == 0 or step == "committed"
    # the state the kill left, step by step: rows leave only with a committed manifest
    if step in ("exported", "verified"):  # each month stops there, before its files are published
        assert live == len(case["originals"]) and published == []
    elif step == "renamed":
        assert live == len(case["originals"]) and set(published) <= set(january + february)
    elif step == "deleted":  # killed inside January's open transaction (rolled back), all its files published
        assert live == len(case["originals"]) and set(january) <= set(published) <= set(january + february)
    else:
        assert manifests == 3 and live == len(case["originals"]) - (4 + 30 + 20)  # January's three files

    rerun = start_archive(case["env"])
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    expected_now = 89 - (4 + 30 + 20 if step == "committed" else 0)
    assert f"archived {expected_now} rows" in out
    assert_consistent(case)


def test_two_runs_at_once_are_serialised_and_archive_each_row_once(case):
    marker = case["tmp"] / "paused"
    engine = case["engine"]
    first = start_archive({**case["env"], PAUSE_VARIABLE: "renamed", PAUSE_MARKER_VARIABLE: str(marker)})
    second = None
    try:
        wait_for(marker.exists, what="the first run to hold the lock")
        second = start_archive(case["env"])

        def second_waits_for_the_lock():
            with engine.connect() as conn:
                return conn.execute(
                    text("""SELECT count(*) FROM pg_stat_activity
                            WHERE datname = current_database() AND wait_event_type = 'Lock'
                              AND wait_event = 'advisory'""")
                ).scalar_one()

        wait_for(second_waits_for_the_lock, what="the second run to wait on the advisory lock")
        assert second.poll() is None
        first.send_signal(signal.SIGKILL)  # the lock goes with the killed run's connection
        out, err = second.communicate(timeout=300)
        assert second.returncode == 0, err
        assert "archived 89 rows into 6 file(s)" in out
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
    assert_consistent(case)


def test_two_runs_started_together_archive_each_row_once(case, monkeypatch):
    # The local Dagster instance is created first: two processes creating its SQLite storage at the same
    # moment race in Dagster itself ("table runs already exists"), which is not what this test is about.
    import dagster as dg

    from prometric_pipelines.orchestration import dagster_home

    monkeypatch.setenv("PROMETRIC_HOME", case["env"]["PROMETRIC_HOME"])
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    with dg.DagsterInstance.from_config(str(dagster_home())) as instance:
        assert instance.get_runs() == []
    runs = [start_archive(case["env"]) for _ in range(2)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], [err for _, err in outputs]
    archived = sorted(int(out.split("archived ")[1].split(" rows")[0]) for out, _ in outputs)
    assert archived == [0, 89]  # the second found nothing left to archive
    assert_consistent(case)
