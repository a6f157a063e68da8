"""`prometric demo` (what `make demo` runs): database migrated, Dagster UI and dashboards serving."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import dagster as dg
from sqlalchemy import text

from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.db.schema import metadata
from prometric_pipelines.definitions import defs


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


def test_demo_serves_the_ui_with_the_schema_materialised_and_the_dashboards(empty_database_url, cli_env, tmp_path):
    ui_port, dashboards_port = free_port(), free_port()
    env = {
        **cli_env,
        "DATABASE_URL": empty_database_url.render_as_string(hide_password=False),
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
        )
    try:
        deadline = time.monotonic() + 240
        while "Dashboards:" not in log.read_text():
            assert demo.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(1)
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
    finally:
        demo.send_signal(signal.SIGINT)
        try:
            demo.wait(timeout=60)
        finally:
            if demo.poll() is None:
                os.killpg(demo.pid, signal.SIGKILL)
    # Ctrl-C stops the UI and the dashboards: nothing keeps serving on their ports
    for port in (ui_port, dashboards_port):
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still served after Ctrl-C"
