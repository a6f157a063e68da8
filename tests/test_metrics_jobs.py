"""The metrics job on generated data: idempotency, backfill = single days, Dagster (assets, checks,
schedule, launchpad config), the CLI (good and bad input), a SIGKILL mid-write and concurrent runs."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
import threading
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
from sqlalchemy import text

from prometric_pipelines.commands.metrics import ASSETS
from prometric_pipelines.defs.metrics.assets import daily_metrics, kpi_values, rollup_assets
from prometric_pipelines.defs.metrics.run_config import NIGHTLY_CHANGES, NIGHTLY_TAG
from prometric_pipelines.defs.metrics.schedules import metrics_nightly_schedule
from prometric_pipelines.generate.run import generate
from prometric_pipelines.generate.scales import options_for
from prometric_pipelines.lib.partitions import partition_range_tags
from prometric_pipelines.lib.resources import PostgresResource
from prometric_pipelines.metrics.periods import ROLLUPS
from prometric_pipelines.metrics.run import compute_daily, compute_kpis, compute_rollup
from tests.checksums import database_checksum, schema_fingerprint
from tests.cli import assert_one_clear_line, prometric
from tests.operator import operator_env
from tests.waiting import wait_for, wait_for_backend_to_end

HISTORY_START = dt.date(2025, 6, 1)
HISTORY_DAYS = 120
# the stable content of a metrics row (id, createdAt and the run's id/time in metadata aside)
ROWS = text("""
    SELECT "organizationId", "workspaceId", name, type, period, date, value, "previousValue", change, target,
           metadata - 'run_id' - 'computed_at' AS metadata
    FROM metrics ORDER BY "organizationId", "workspaceId", name, period, date""")


@pytest.fixture(scope="module")
def generated(engine):
    generate(engine, options_for("demo", orgs=2, days=HISTORY_DAYS, start=HISTORY_START, seed=7))
    return engine


def run_everything(engine, first: dt.date, last: dt.date, run_id: str = "test", orgs=None) -> None:
    compute_daily(engine, first, last, orgs, run_id)
    for period in ROLLUPS:
        compute_rollup(engine, period, first, last, orgs, run_id)
    compute_kpis(engine, first, last, orgs, run_id)


def rows(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(ROWS)]


def clear(engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM metrics"))


def test_the_same_range_twice_gives_identical_rows(generated):
    clear(generated)
    first, last = dt.date(2025, 7, 1), dt.date(2025, 7, 20)
    run_everything(generated, first, last, "one")
    with generated.connect() as conn:
        ids_before = conn.execute(text("SELECT id FROM metrics ORDER BY id")).scalars().all()
    before = rows(generated)
    run_everything(generated, first, last, "two")
    assert rows(generated) == before
    with generated.connect() as conn:
        assert conn.execute(text("SELECT id FROM metrics ORDER BY id")).scalars().all() == ids_before  # upserted
        # nothing changed: no row was rewritten, each still names the run that wrote it
        assert conn.execute(text("SELECT DISTINCT metadata->>'run_id' FROM metrics")).scalars().all() == ["one"]
    periods = {r[4] for r in before}
    assert periods == {"daily", "weekly", "monthly", "quarterly", "yearly"}
    assert any(r[3] == "kpi" for r in before)  # the generator's formulas produced KPI values


def test_a_90_day_backfill_equals_90_single_day_runs(generated):
    first = dt.date(2025, 7, 1)
    days = [first + dt.timedelta(days=n) for n in range(90)]
    clear(generated)
    run_everything(generated, days[0], days[-1], "backfill")
    backfill = rows(generated)
    clear(generated)
    for day in reversed(days):  # newest first: the comparisons of later periods must still come out right
        run_everything(generated, day, day, "single")
    assert rows(generated) == backfill
    assert len(backfill) > 90 * 30


def test_orders_revenue_matches_a_direct_sum_over_the_generated_orders(generated):
    clear(generated)
    first, last = dt.date(2025, 8, 1), dt.date(2025, 8, 31)
    compute_daily(generated, first, last)
    with generated.connect() as conn:
        stored = conn.execute(
            text("SELECT sum(value) FROM metrics WHERE name = 'orders_revenue' AND period = 'daily'")
        ).scalar_one()
        direct = conn.execute(
            text("""SELECT sum(o."totalAmount") FROM orders o JOIN organizations g ON g.id = o."organizationId"
                    WHERE o.type = 'SALES' AND o.status <> 'CANCELLED' AND o."deletedAt" IS NULL
                      AND (o."orderDate" AT TIME ZONE 'UTC'
                           AT TIME ZONE coalesce(g.settings->>'timezone', 'Asia/Almaty'))::date
                          BETWEEN :f AND :l"""),
            {"f": first, "l": last},
        ).scalar_one()
    assert stored == direct and stored > 0


# --- Dagster -------------------------------------------------------------------------------------


def test_dagster_assets_materialize_a_partition_range_in_one_run_with_passing_checks(generated, database_url):
    clear(generated)
    resources = {"postgres": PostgresResource(database_url=database_url.render_as_string(hide_password=False))}
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [daily_metrics, *rollup_assets, kpi_values],
            resources=resources,
            instance=instance,
            tags=partition_range_tags(dt.date(2025, 7, 1), dt.date(2025, 7, 7)),
        )
    assert result.success
    daily = next(m for m in result.get_asset_materialization_events() if m.asset_key.path == ["daily_metrics"])
    metadata = {k: v.value for k, v in daily.materialization.metadata.items()}
    assert (metadata["first_day"], metadata["last_day"]) == ("2025-07-01", "2025-07-07")
    checks = {c.check_name: c.passed for c in result.get_asset_check_evaluations()}
    assert checks == {
        "row_counts_per_workspace": True,
        "no_duplicate_keys": True,
        "orders_revenue_reconciles": True,
        "skipped_currency_rows": True,  # the generator loads fx_rates for its USD/CNY/RUB purchases
        "kpi_formula_failures": True,
        # every organization completed every step (failure isolation: tests/faults/)
        **{f"{asset}_organizations_completed": True for asset in ("daily_metrics", "kpi_values")},
        **{f"{period.name}_metrics_organizations_completed": True for period in ROLLUPS},
    }
    with generated.connect() as conn:
        assert conn.execute(text("SELECT count(DISTINCT date) FROM metrics WHERE period = 'daily'")).scalar() == 7


def test_launchpad_config_with_a_bad_organization_fails_with_one_line(generated, database_url):
    resources = {"postgres": PostgresResource(database_url=database_url.render_as_string(hide_password=False))}
    with generated.connect() as conn:
        before = database_checksum(conn)
    for ids, message in (
        (["not-a-uuid"], "organization id 'not-a-uuid' is not a UUID"),
        (["00000000-0000-4000-8000-000000000000"], "unknown organization 00000000-0000-4000-8000-000000000000"),
    ):
        with dg.instance_for_test() as instance:
            result = dg.materialize(
                [daily_metrics],
                resources=resources,
                instance=instance,
                partition_key="2025-07-01",
                run_config={"ops": {"daily_metrics": {"config": {"organization_ids": ids}}}},
                raise_on_error=False,
            )
        assert not result.success
        failure = next(e for e in result.all_events if e.is_step_failure)
        assert failure.step_failure_data.user_failure_data.description.startswith(message)
    with generated.connect() as conn:
        assert database_checksum(conn) == before


def test_nightly_schedule_asks_for_yesterday_and_the_days_that_changed():
    at = dt.datetime(2026, 3, 11, 1, 0, tzinfo=ZoneInfo("Asia/Almaty"))
    request = metrics_nightly_schedule(dg.build_schedule_context(scheduled_execution_time=at))
    assert request.tags["dagster/asset_partition_range_start"] == "2026-03-10"
    assert request.tags["dagster/asset_partition_range_end"] == "2026-03-10"
    assert request.tags[NIGHTLY_TAG] == NIGHTLY_CHANGES  # earlier days: those whose facts changed
    assert request.run_key == "metrics-2026-03-10"
    assert metrics_nightly_schedule.cron_schedule == "0 1 * * *"
    assert metrics_nightly_schedule.execution_timezone == "Asia/Almaty"


# --- CLI -----------------------------------------------------------------------------------------


@pytest.fixture
def env(database_url, cli_env):
    return operator_env(cli_env, database_url)


def test_cli_runs_the_job_through_dagster_and_reports(generated, env):
    clear(generated)
    with generated.connect() as conn:
        org = conn.execute(text("SELECT id FROM organizations ORDER BY id LIMIT 1")).scalar_one()
    result = prometric("run", "metrics", "--from", "2025-07-01", "--to", "2025-07-03", "--org", str(org), env=env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("metrics 2025-07-01..2025-07-03 (run ") and lines[0].endswith("): 3 day(s)")
    # one report line per step, not one per step and day (3 days × 6 assets printed 18 before)
    assert [line.split()[0] for line in lines[1:7]] == list(ASSETS)
    assert all(line.split()[1] == "2025-07-01..2025-07-03" for line in lines[1:2])  # daily: exactly the range
    assert all(" rows written, " in line and line.endswith(" s") for line in lines[1:7])
    assert [line for line in lines[7:] if not line.startswith("  check ")] == []
    assert "Warning" not in result.stderr  # Dagster's BetaWarnings are filtered (framework_warnings.py)
    with generated.connect() as conn:
        organizations = conn.execute(text('SELECT DISTINCT "organizationId" FROM metrics')).scalars().all()
        days = conn.execute(text("SELECT count(DISTINCT date) FROM metrics WHERE period = 'daily'")).scalar()
    assert organizations == [org] and days == 3


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--from", "2026-13-01"), "--from date '2026-13-01' is not a date"),
        (("--from", "2999-01-01"), "--from date 2999-01-01 is in the future"),
        (("--from", "2025-07-05", "--to", "2025-07-01"), "date range is reversed"),
        (("--from", "2025-07-01", "--org", "x"), "organization id 'x' is not a UUID"),
        (("--from", "2025-07-01", "--org", "00000000-0000-4000-8000-000000000000"), "unknown organization"),
        ((), "the following arguments are required: --from"),
    ],
)
def test_cli_bad_input_is_one_clear_line_and_changes_nothing(generated, env, args, fragment):
    with generated.connect() as conn:
        before = database_checksum(conn), schema_fingerprint(conn)
    result = prometric("run", "metrics", *args, env=env)
    assert_one_clear_line(result, fragment)
    with generated.connect() as conn:
        assert (database_checksum(conn), schema_fingerprint(conn)) == before


# --- faults --------------------------------------------------------------------------------------


def test_a_run_killed_mid_write_changes_nothing_and_a_rerun_equals_a_clean_run(generated, env):
    first, last = dt.date(2025, 7, 1), dt.date(2025, 7, 10)
    clear(generated)
    run_everything(generated, first, last)
    before = rows(generated)
    with generated.begin() as conn:  # late data: the killed run would have written different values
        conn.execute(
            text("""UPDATE orders SET "totalAmount" = "totalAmount" + 1000
                             WHERE id = (SELECT id FROM orders WHERE type = 'SALES' AND status <> 'CANCELLED'
                                         AND "orderDate" >= '2025-07-03' AND "orderDate" < '2025-07-04'
                                         ORDER BY id LIMIT 1)""")
        )

    # the daily step deletes the rows of its window that changed, then inserts their new versions; a session
    # holds a changed row (the orders_revenue of the late order's day), so the delete waits on it mid-write
    blocker = generated.connect()
    blocker.execute(
        text("""SELECT id FROM metrics WHERE period = 'daily' AND name = 'orders_revenue'
                AND date BETWEEN '2025-07-03' AND '2025-07-04' FOR UPDATE""")
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "prometric_pipelines.cli", "run", "metrics", "--from", str(first), "--to", str(last)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        with generated.connect() as watcher:

            def blocked_writer():
                watcher.rollback()
                return watcher.execute(
                    text("""SELECT a.pid FROM pg_stat_activity a
                            WHERE a.datname = current_database() AND a.application_name = 'prometric'
                              AND a.wait_event_type = 'Lock' AND a.pid <> pg_backend_pid()
                              AND a.query LIKE '%DELETE FROM metrics%'""")
                ).scalar()

            pid = wait_for(blocked_writer, what="the metrics run to block in its delete")
            # mid-write: its transaction holds the metrics table and already deleted (uncommitted) rows
            held = watcher.execute(
                text("""SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                        WHERE l.pid = :p AND l.granted AND c.relname = 'metrics' AND l.mode = 'RowExclusiveLock'"""),
                {"p": pid},
            ).scalar_one()
            assert held == 1
            process.send_signal(signal.SIGKILL)
            assert process.wait(timeout=30) == -signal.SIGKILL
            blocker.rollback()

            wait_for_backend_to_end(watcher, pid, "the killed run's server process to end")
    finally:
        blocker.close()
        if process.poll() is None:
            process.kill()

    assert rows(generated) == before  # nothing of the half-done run is left
    rerun = prometric("run", "metrics", "--from", str(first), "--to", str(last), env=env, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    after_rerun = rows(generated)
    assert after_rerun != before  # the late data is in
    run_everything(generated, first, last, "clean")
    assert rows(generated) == after_rerun


def test_concurrent_runs_of_one_partition_serialise_without_duplicates(generated):
    clear(generated)
    day = dt.date(2025, 7, 15)
    holder = generated.connect()
    holder.execute(text("SELECT pg_advisory_xact_lock(hashtext('prometric.metrics'))"))
    errors: list[BaseException] = []

    def run() -> None:
        try:
            compute_daily(generated, day, day, None, threading.current_thread().name)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=run, name=f"run-{n}") for n in range(2)]
    for thread in threads:
        thread.start()
    with generated.connect() as watcher:

        def both_waiting():
            watcher.rollback()
            return (
                watcher.execute(
                    text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
                ).scalar()
                == 2
            )

        wait_for(both_waiting, what="both runs to wait for the metrics lock")
    holder.rollback()  # release: they run one after the other
    holder.close()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    with generated.connect() as conn:
        total, distinct = conn.execute(
            text("""SELECT count(*), count(DISTINCT ("organizationId", "workspaceId", name, period, date))
                    FROM metrics""")
        ).one()
        workspaces = conn.execute(text('SELECT count(*) FROM workspaces WHERE "isActive"')).scalar()
    assert total == distinct
    assert total >= workspaces * 30  # every spine metric of the day, once
