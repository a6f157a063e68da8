"""`prometric demo` (what `make demo` runs): database migrated, Dagster UI and dashboards serving."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import dagster as dg
from sqlalchemy import text

from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.db.schema import metadata
from prometric_pipelines.definitions import defs
from tests.operator import operator_env

LOCAL_ORDER_DAYS = """SELECT min(local)::date, max(local)::date
    FROM (SELECT ("orderDate" AT TIME ZONE 'UTC') AT TIME ZONE 'Asia/Almaty' AS local FROM orders) AS o"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["data"]


def descendant_groups(pid: int) -> set[int]:
    """Process groups of `pid`'s living descendants (from /proc/*/stat): the demo starts `dagster dev`
    and `streamlit` in their own sessions, so killing the demo's group alone would leak them."""
    parents: dict[int, tuple[int, int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # exited meanwhile
        parents[int(stat.parent.name)] = (int(fields[1]), int(fields[2]))  # (ppid, pgrp)
    found, frontier = set(), [pid]
    while frontier:
        parent = frontier.pop()
        for child, (ppid, _) in parents.items():
            if ppid == parent and child not in found:
                found.add(child)
                frontier.append(child)
    return {parents[child][1] for child in found}


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_demo_serves_the_ui_with_the_schema_materialised_and_the_dashboards(
    empty_database_url, template_database, cli_env, tmp_path
):
    ui_port, dashboards_port = free_port(), free_port()
    env = {
        # an operator's server: the owner's URL migrates, each process has its own login (docs/security.md)
        **operator_env(cli_env, empty_database_url, provision_on=empty_database_url.set(database=template_database)),
        "PROMETRIC_UI_PORT": str(ui_port),
        "PROMETRIC_DASHBOARDS_PORT": str(dashboards_port),
    }
    # no DAGSTER_HOME: the demo makes its instance under PROMETRIC_HOME, as on a fresh machine
    instance_home = tmp_path / "prometric-home" / "dagster"
    log = tmp_path / "demo.log"
    with open(log, "w") as out:
        demo = subprocess.Popen(
            [sys.executable, "-m", "prometric_pipelines.cli", "demo"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # Ctrl-C as at a terminal, also when pytest itself runs as a background job of a script (which
            # inherits SIGINT ignored, and so would the demo: the SIGINT below would then do nothing)
            preexec_fn=_default_sigint,
        )
    began = time.monotonic()
    groups: set[int] = set()
    try:
        # generation + the demo jobs (metrics of 365 days through Dagster, 3 payroll months, reconciliation,
        # archive) + two servers starting, on a shared 2-core machine (no timing is asserted: a hang's limit)
        deadline = time.monotonic() + 1500
        while "Press Ctrl-C to stop" not in log.read_text():  # printed after the URLs and the accounts
            groups |= descendant_groups(demo.pid)
            assert demo.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(1)
        groups |= descendant_groups(demo.pid)
        print(f"first demo start-up: {time.monotonic() - began:.0f} s")
        output = log.read_text()
        assert f"Dagster UI:  http://127.0.0.1:{ui_port}" in output
        assert f"Dashboards:  http://127.0.0.1:{dashboards_port}" in output
        assert "operational schema at " in output and f"({len(metadata.tables)} tables)" in output
        # first start: the demo scale is generated, and the sign-in accounts are printed
        assert "demo data: " in output and "demo sign-in (password: prometric-demo): " in output
        engine = create_db_engine(empty_database_url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM organizations")).scalar_one() == 2
            assert conn.execute(text("SELECT count(*) FROM orders")).scalar_one() > 5_000
            # the demo jobs ran once over the generated history: every organization has metrics for
            # every generated day, three payroll months, one reconciliation, and archived audit rows
            first, last = conn.execute(text(LOCAL_ORDER_DAYS)).one()  # Asia/Almaty days, as the partitions
            days = conn.execute(
                text("""SELECT count(DISTINCT ("organizationId", date)) FROM metrics
                        WHERE period = 'daily' AND name = 'orders_revenue'""")
            ).scalar_one()
            assert days == 2 * ((last - first).days + 1)
            revenue = conn.execute(
                text("SELECT sum(value) FROM metrics WHERE period = 'daily' AND name = 'orders_revenue'")
            )
            assert revenue.scalar_one() > 0
            months = conn.execute(text("SELECT count(DISTINCT (year, month)) FROM payroll")).scalar_one()
            assert months == 3
            assert conn.execute(text("SELECT count(*) FROM stock_reconciliation_runs")).scalar_one() >= 1
            assert conn.execute(text("SELECT count(*) FROM audit_log_archives")).scalar_one() >= 1
            # and one health snapshot for the owners' Database page, sized like the database it describes
            snapshot = conn.execute(
                text('SELECT "databaseBytes", pg_database_size(current_database()) FROM maintenance_health_snapshots')
            ).one()
            # (autovacuum may have truncated a table's empty tail since: a few pages either way)
            assert 0.5 < snapshot[0] / snapshot[1] <= 1.05
        engine.dispose()
        # last, after the URLs: the four demo accounts, each in both organizations (home first)
        accounts = output[output.index("  Demo accounts (dashboards sign-in, password prometric-demo;") :]
        assert accounts.splitlines()[-1] == "Press Ctrl-C to stop (the database keeps running: `prometric db stop`)."
        with engine.connect() as conn:
            names = conn.execute(text('SELECT name FROM organizations ORDER BY "createdAt"')).scalars().all()
        rows = accounts.splitlines()[2:10]
        assert sorted(row.split()[0] for row in rows[::2]) == ["employee", "investor", "manager", "owner"]
        for home, other in zip(rows[::2], rows[1::2], strict=True):
            assert home.split()[2:3] != [] and other.split()[0].startswith("ТОО")
            assert {home.split("  ")[-1].strip().split(":")[0], other.strip().split(":")[0]} == set(names)
        # progress per quarter, then the whole history through Dagster; no framework warnings on the terminal
        assert "demo jobs: metrics: 92 of " in output and " days through Dagster" in output
        assert "demo jobs: payroll " in output
        assert "Warning" not in output
        engine.dispose()

        nodes = graphql(ui_port, "{ assetNodes { assetKey { path } } }")["assetNodes"]
        keys = {"/".join(node["assetKey"]["path"]) for node in nodes}
        assert "operational_schema" in keys and "erp/orders" in keys and len(keys) == len(defs.resolve_all_asset_keys())
        with urllib.request.urlopen(f"http://127.0.0.1:{dashboards_port}/_stcore/health", timeout=10) as health:
            assert health.read() == b"ok"
        with dg.DagsterInstance.from_config(str(instance_home)) as instance:
            event = instance.get_latest_materialization_event(dg.AssetKey("operational_schema"))
            assert event is not None
            assert event.asset_materialization.metadata["table_count"].value == len(metadata.tables)
            # the demo's job runs are in the UI's run history, each successful
            for job in ("metrics_job", "payroll_job", "stock_reconciliation_job", "audit_archive_job"):
                runs = instance.get_runs(dg.RunsFilter(job_name=job))
                assert runs and all(run.status == dg.DagsterRunStatus.SUCCESS for run in runs), job
            # an honest record: every day of the data is a materialized partition of each metrics asset, the
            # partitions start on the data's first day, and the archive's run materialized its month
            for asset in ("daily_metrics", "weekly_metrics", "kpi_values"):
                materialized = instance.get_materialized_partitions(dg.AssetKey(asset))
                assert materialized == {str(first + dt.timedelta(days=n)) for n in range((last - first).days + 1)}
            archived = instance.get_materialized_partitions(dg.AssetKey("audit_archive"))
            assert len(archived) == 1 and min(archived) >= str(first.replace(day=1))
            # fx_rates loaded: no row of the demo year was left out for want of a rate
            check = instance.event_log_storage.get_latest_asset_check_execution_by_key(
                [dg.AssetCheckKey(dg.AssetKey("daily_metrics"), "skipped_currency_rows")]
            )
            assert [record.status.value for record in check.values()] == ["SUCCEEDED"]
        ui_first = graphql(
            ui_port, '{ assetNodeOrError(assetKey: {path: ["daily_metrics"]}) { ... on AssetNode { partitionKeys } } }'
        )["assetNodeOrError"]["partitionKeys"][0]
        assert ui_first == str(first)  # the UI counts no "missing" days before the data
    finally:
        groups |= descendant_groups(demo.pid)
        demo.send_signal(signal.SIGINT)
        try:
            demo.wait(timeout=90)  # the demo gives its servers 30 s in all to stop gracefully
        finally:
            for group in {demo.pid} | groups:  # whatever is left of the demo and of its children's groups
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(group, signal.SIGKILL)
    # Ctrl-C stops the UI and the dashboards: nothing keeps serving on their ports
    for port in (ui_port, dashboards_port):
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still served after Ctrl-C"
