"""A run killed mid-write leaves nothing half-done, and re-running it converges to a clean run's result.

Here: the schema migration (`prometric db migrate`, the `operational_schema` asset). Each job's
own test file has its case (test_metrics_jobs, test_payroll_jobs, test_stock_jobs, test_audit_faults).
"""

from __future__ import annotations

import signal
import subprocess
import sys

from sqlalchemy import text

from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.db.migrate import head_revision, migrate
from tests.checksums import schema_fingerprint
from tests.waiting import wait_for, wait_for_backend_to_end

BASELINE = "20261125094731"


def test_migrate_killed_mid_way_leaves_nothing_and_a_rerun_equals_a_clean_run(databases, cli_env):
    url = databases.create("killed_migrate")
    owner = create_db_engine(url)
    migrate(owner, BASELINE)  # the security migration is pending
    with owner.connect() as conn:
        before = schema_fingerprint(conn)

    # A session holds the last table the migration alters, so the migration stops there, half-way
    blocker = owner.connect()
    blocker.execute(text("LOCK TABLE workspaces IN ACCESS EXCLUSIVE MODE"))
    env = {**cli_env, "DATABASE_URL": url.render_as_string(hide_password=False)}
    process = subprocess.Popen(
        [sys.executable, "-m", "prometric_pipelines.cli", "db", "migrate"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        with owner.connect() as watcher:

            def blocked_migrator():
                watcher.rollback()  # pg_stat_activity is a snapshot per transaction: take a new one
                return watcher.execute(
                    text("""SELECT pid FROM pg_stat_activity
                            WHERE datname = :db AND application_name = 'prometric' AND wait_event_type = 'Lock'
                              AND pid <> pg_backend_pid()"""),
                    {"db": url.database},
                ).scalar()

            pid = wait_for(blocked_migrator, what="the migration to block")
            # mid-way indeed: it has already created/altered dozens of relations in its open transaction
            held = watcher.execute(
                text(
                    "SELECT count(DISTINCT relation) FROM pg_locks WHERE pid = :p AND granted AND relation IS NOT NULL"
                ),
                {"p": pid},
            ).scalar_one()
            assert held >= 30, held
            process.send_signal(signal.SIGKILL)
            assert process.wait(timeout=30) == -signal.SIGKILL
            blocker.rollback()  # the orphaned server process runs on, finds its client gone, rolls back

            wait_for_backend_to_end(watcher, pid, "the killed migration's server process to end")
    finally:
        blocker.close()
        if process.poll() is None:
            process.kill()

    with owner.connect() as conn:
        assert schema_fingerprint(conn) == before  # nothing of the half-done migration is left
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == BASELINE

    rerun = subprocess.run(
        [sys.executable, "-m", "prometric_pipelines.cli", "db", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert rerun.stdout.startswith(f"migrated {BASELINE} -> {head_revision()}")

    clean_url = databases.create("clean_migrate")
    clean = create_db_engine(clean_url)
    migrate(clean)
    with owner.connect() as rerun_conn, clean.connect() as clean_conn:
        assert schema_fingerprint(rerun_conn) == schema_fingerprint(clean_conn)
        for conn in (rerun_conn, clean_conn):
            assert (
                conn.execute(text('SELECT count(*) FROM security_tenant_keys WHERE "retiredAt" IS NULL')).scalar() == 1
            )
    for engine, database in ((owner, url), (clean, clean_url)):
        engine.dispose()
        databases.drop(database)
