"""Takes the screenshots of docs/images/ (not a test; run by hand when the UI changes).

    .venv/bin/pip install playwright   # chromium comes from Debian: /usr/bin/chromium
    .venv/bin/python docs/screenshots.py          # the Dagster UI pages, from a scratch instance
    .venv/bin/python docs/screenshots.py --demo   # from a running `prometric demo` (same environment):
                                                  # the owner's Overview (the README's picture)

Without --demo: uses the test server (.prometric/test-server) with a scratch database of generated demo
data, a scratch DAGSTER_HOME holding a few real runs (metrics, payroll, one failure), and `dagster dev`
on a free port. Everything is stopped and dropped at the end. With --demo: reads the demo's dashboards
port (PROMETRIC_DASHBOARDS_PORT) and its database for the owner account; changes nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg

from prometric_pipelines.config import PROJECT_ROOT, libpq_url
from prometric_pipelines.db.embedded import EmbeddedPostgres
from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.db.migrate import migrate

IMAGES = PROJECT_ROOT / "docs" / "images"
DATABASE = "prometric_screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
PAGES = {
    "dagster-runs.png": "/runs",
    "dagster-automation.png": "/automation",
    "dagster-asset-graph.png": "/asset-groups",
    "dagster-jobs.png": "/jobs",
    "dagster-metrics-job.png": "/locations/prometric_pipelines/jobs/metrics_job",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare_database(server: EmbeddedPostgres, port: int) -> str:
    admin = server.url("postgres", port=port)
    with psycopg.connect(libpq_url(admin), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    url = admin.set(database=DATABASE)
    engine = create_db_engine(url)
    migrate(engine)
    import datetime as dt

    from prometric_pipelines.generate.run import generate
    from prometric_pipelines.generate.scales import options_for

    generate(engine, options_for("demo", orgs=2, days=70, start=dt.date(2025, 6, 1), seed=3))
    engine.dispose()
    return url.render_as_string(hide_password=False)


def record_runs(database_url: str) -> str:
    """A few real runs in the scratch instance, so the run list and the asset graph show something;
    returns the id of a failed one (an unknown organization, as operators will see it)."""
    from prometric_pipelines.defs.payroll.run_config import payroll_run_config
    from prometric_pipelines.errors import PrometricError
    from prometric_pipelines.lib.partitions import partition_range_tags, partition_tags
    from prometric_pipelines.orchestration import run_job

    os.environ["DATABASE_URL"] = database_url
    july = dt.date(2025, 7, 1)
    run_job("metrics_job", tags=partition_range_tags(dt.date(2025, 7, 25), dt.date(2025, 7, 31)))
    run_job("payroll_job", tags=partition_tags(july))
    run_job("freshness_checks_job")
    unknown = payroll_run_config(["00000000-0000-0000-0000-000000000001"])
    try:
        run_job("payroll_job", unknown, tags=partition_tags(july))
    except PrometricError as error:
        return str(error).split("(run ", 1)[1].split(")", 1)[0]
    raise SystemExit("the failing run did not fail")


def demo_screenshots() -> int:
    """The owner's Overview on the dashboards of a running demo (the README's picture)."""
    from playwright.sync_api import sync_playwright

    from prometric_pipelines.config import dashboards_port
    from prometric_pipelines.generate.accounts import DEMO_PASSWORD
    from prometric_pipelines.generate.run import demo_accounts
    from prometric_pipelines.generate.scales import options_for

    engine = create_db_engine()
    owner = next(email for role, email, _ in demo_accounts(engine, options_for("demo")) if role == "owner")
    engine.dispose()
    IMAGES.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.goto(f"http://127.0.0.1:{dashboards_port()}/?preset=90d&grain=week", timeout=120_000)
        page.get_by_label("E-mail").fill(owner)
        page.get_by_role("textbox", name="Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=120_000)
        page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=120_000)
        page.wait_for_timeout(3000)  # charts draw after the script ends
        page.screenshot(path=str(IMAGES / "owner-overview.png"), full_page=True)
        print("docs/images/owner-overview.png  ← dashboards Overview as the owner")
        browser.close()
    return 0


def main() -> int:
    from playwright.sync_api import sync_playwright

    if sys.argv[1:] == ["--demo"]:
        return demo_screenshots()

    server = EmbeddedPostgres(PROJECT_ROOT / ".prometric" / "test-server", durable=False)
    started_here = not server.status().running
    status = server.start()
    home = Path(tempfile.mkdtemp(prefix="dagster-screenshots-"))
    shutil.copyfile(PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    os.environ["DAGSTER_HOME"] = str(home)
    ui = None
    try:
        database_url = prepare_database(server, status.port)
        failed_run = record_runs(database_url)
        pages = {**PAGES, "dagster-failed-run.png": f"/runs/{failed_run}"}
        port = free_port()
        env = {**os.environ, "DATABASE_URL": database_url, "PROMETRIC_SCHEDULES": "running"}
        ui = subprocess.Popen(
            [sys.executable, "-m", "dagster", "dev", "-w", str(PROJECT_ROOT / "workspace.yaml"),
             "-h", "127.0.0.1", "-p", str(port)],
            cwd=home, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(f"{base}/server_info", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("dagster dev did not answer within 180 s") from None
                time.sleep(1)
        IMAGES.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            for name, path in pages.items():
                page.goto(base + path, wait_until="networkidle", timeout=120_000)
                page.wait_for_timeout(2500)  # the UI renders after its GraphQL answers
                skip = page.get_by_role("button", name="Skip")  # the first visit's "join the community" dialog
                if skip.count():
                    skip.first.click()
                    page.wait_for_timeout(500)
                page.screenshot(path=str(IMAGES / name))
                print(f"docs/images/{name}  ← {path}")
            browser.close()
    finally:
        if ui is not None:
            os.killpg(ui.pid, signal.SIGTERM)
            try:
                ui.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(ui.pid, signal.SIGKILL)
        with psycopg.connect(libpq_url(server.url("postgres", port=status.port)), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        shutil.rmtree(home, ignore_errors=True)
        if started_here:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
