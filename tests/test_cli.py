"""The command line's contract for mistakes: one clear line, non-zero exit, nothing changed."""

from __future__ import annotations

import datetime as dt
import os
import socket

import pytest

from tests.cli import assert_one_clear_line, prometric
from tests.factories import make, make_tenant


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # released at once: nothing listens there


def test_unknown_subcommand(cli_env):
    result = prometric("frobnicate", env=cli_env)
    assert result.returncode == 2
    assert_one_clear_line(result, "invalid choice: 'frobnicate'", "prometric --help")


def test_unknown_db_action(cli_env):
    result = prometric("db", "explode", env=cli_env)
    assert result.returncode == 2
    assert_one_clear_line(result, "invalid choice: 'explode'", "start", "migrate")


def test_missing_subcommand(cli_env):
    result = prometric(env=cli_env)
    assert result.returncode == 2
    assert_one_clear_line(result, "required")


@pytest.mark.parametrize("action", ["migrate", "status"])
def test_unreachable_database_url(cli_env, action):
    port = closed_port()
    env = {**cli_env, "DATABASE_URL": f"postgresql://erp:s3cret@127.0.0.1:{port}/erp"}
    result = prometric("db", action, env=env)
    assert result.returncode == 1
    assert_one_clear_line(result, "cannot connect to PostgreSQL", f"127.0.0.1:{port}/erp", "Connection refused")
    assert "s3cret" not in result.stderr  # the password is never echoed


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("not a url", "is not a database URL"),
        ("mysql://erp@localhost/erp", "must point at PostgreSQL"),
        ("postgresql://erp@localhost", "names no database"),
    ],
)
def test_malformed_database_url(cli_env, url, fragment):
    result = prometric("db", "migrate", env={**cli_env, "DATABASE_URL": url})
    assert_one_clear_line(result, fragment)


def test_with_database_url_nothing_embedded_is_started(cli_env, database_url, tmp_path):
    url = database_url.render_as_string(hide_password=False)
    env = {**cli_env, "DATABASE_URL": url}
    for action, expected in [("start", "nothing to start"), ("stop", "nothing to stop")]:
        result = prometric("db", action, env=env)
        assert result.returncode == 0 and expected in result.stdout
    status = prometric("db", "status", env=env)
    assert status.returncode == 0 and "reachable" in status.stdout
    assert prometric("db", "url", env=env).stdout.strip() == url
    assert not (tmp_path / "prometric-home" / "pgdata").exists()


def test_bad_port_setting_is_one_line(cli_env):
    result = prometric("demo", env={**cli_env, "PROMETRIC_UI_PORT": "http"})
    assert_one_clear_line(result, "PROMETRIC_UI_PORT='http' is not a TCP port")


def test_demo_refuses_a_busy_port_before_starting_anything(cli_env, tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = prometric("demo", env={**cli_env, "PROMETRIC_UI_PORT": str(port)})
    assert_one_clear_line(result, f"port {port} is already in use", "PROMETRIC_UI_PORT")
    assert not (tmp_path / "prometric-home" / "pgdata").exists()  # no database was started


# ---- the demo's bootstrap queries and month stepping (commands/demo.py) -----------------------------


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        ("2024-01-15", "2024-06-30", ["2024-04-01", "2024-05-01", "2024-06-01"]),  # June ends on the last day
        ("2024-01-15", "2024-06-29", ["2024-03-01", "2024-04-01", "2024-05-01"]),  # June is not complete
        ("2024-04-02", "2024-06-29", ["2024-05-01"]),  # April starts before the first day
        ("2023-11-01", "2024-01-31", ["2023-11-01", "2023-12-01", "2024-01-01"]),  # across the year
        ("2024-06-03", "2024-06-29", []),
    ],
)
def test_the_demo_pays_the_newest_complete_months(first, last, expected):
    from prometric_pipelines.commands.demo import last_complete_months

    months = last_complete_months(dt.date.fromisoformat(first), dt.date.fromisoformat(last), 3)
    assert months == [dt.date.fromisoformat(month) for month in expected]


def test_the_demo_queries_count_local_days_and_the_steps_already_done(engine, database_url, monkeypatch):
    from prometric_pipelines.business_calendar import TIMEZONE_NAME
    from prometric_pipelines.commands.demo import _pin_partitions_start
    from prometric_pipelines.config import PARTITIONS_START_VARIABLE
    from prometric_pipelines.sql import load_sql

    with engine.begin() as conn:
        assert conn.execute(load_sql("demo", "orders_table_exists")).scalar_one() is True
        assert conn.execute(load_sql("demo", "local_order_days"), {"zone": TIMEZONE_NAME}).one() == (None, None)
        assert not any(conn.execute(load_sql("demo", "steps_done")).one())
        tenant = make_tenant(conn)
        at = {"organizationId": tenant["organization"]["id"], "workspaceId": tenant["workspace"]["id"]}
        # 20:30 and 19:30 UTC are the next morning in Almaty (UTC+5): the local days differ from the UTC ones
        make(conn, "orders", orderDate=dt.datetime(2025, 3, 9, 20, 30), **at)
        make(conn, "orders", orderDate=dt.datetime(2025, 6, 30, 19, 30), **at)
        make(
            conn, "metrics", name="orders_count", type="sales", period="daily", value=1, date=dt.date(2025, 3, 10), **at
        )
    with engine.connect() as conn:
        local = conn.execute(load_sql("demo", "local_order_days"), {"zone": TIMEZONE_NAME}).one()
        utc = conn.execute(load_sql("demo", "local_order_days"), {"zone": "UTC"}).one()
        done = conn.execute(load_sql("demo", "steps_done")).one()._asdict()
    assert local == (dt.date(2025, 3, 10), dt.date(2025, 7, 1))
    assert utc == (dt.date(2025, 3, 9), dt.date(2025, 6, 30))
    assert done == {
        "metrics": True,
        "payroll": False,
        "stock_reconciliation_runs": False,
        "audit_log_archives": False,
        "maintenance_health_snapshots": False,
    }

    # the demo pins the partitions' start to the first local day, unless the caller chose one
    monkeypatch.setenv("DATABASE_URL", database_url.render_as_string(hide_password=False))
    monkeypatch.setenv(PARTITIONS_START_VARIABLE, "")
    _pin_partitions_start()
    assert os.environ[PARTITIONS_START_VARIABLE] == "2025-03-10"
    monkeypatch.setenv(PARTITIONS_START_VARIABLE, "2025-12-07")
    _pin_partitions_start()
    assert os.environ[PARTITIONS_START_VARIABLE] == "2025-12-07"


def test_on_a_database_without_tables_the_demo_starts_the_partitions_with_its_data(empty_database_url, monkeypatch):
    from prometric_pipelines.commands.demo import _pin_partitions_start
    from prometric_pipelines.config import PARTITIONS_START_VARIABLE
    from prometric_pipelines.generate.scales import options_for

    monkeypatch.setenv("DATABASE_URL", empty_database_url.render_as_string(hide_password=False))
    monkeypatch.setenv(PARTITIONS_START_VARIABLE, "")
    _pin_partitions_start()  # no orders table yet: the probe must not query it
    assert os.environ[PARTITIONS_START_VARIABLE] == options_for("demo").start.isoformat()
