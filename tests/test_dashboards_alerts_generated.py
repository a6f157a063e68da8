"""From the detector to the drill: generated history with `--inject-anomalies`, the nightly metrics and the
alert detection (prometric_pipelines/alerts) as the jobs run them, then the owner's dashboards — the
Overview marks the Revenue card, and the revenue spike's alert opens exactly that day's orders of its
workspace (counted independently here)."""

from __future__ import annotations

import datetime as dt
import sys

import pytest
import streamlit as st
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from prometric_pipelines.alerts.detect import detect_alerts
from prometric_pipelines.config import PROJECT_ROOT, libpq_url
from prometric_pipelines.db.roles import READER_ROLE, provision_logins
from prometric_pipelines.db.tenancy import read_tenant_key
from prometric_pipelines.generate.run import DEMO_PASSWORD, demo_accounts, generate
from prometric_pipelines.generate.scales import options_for
from prometric_pipelines.metrics.run import compute_daily
from tests.test_dashboards_display import problems, visible_text

sys.path.insert(0, str(PROJECT_ROOT / "dashboards"))  # the app's `lib`, as Streamlit imports it

from lib.queries import clear_caches

APP = str(PROJECT_ROOT / "dashboards" / "streamlit_app.py")
OPTIONS = options_for("demo", orgs=1, days=200, start=dt.date(2025, 3, 1), seed=3, inject_anomalies=True)
SPIKE_DAY = OPTIONS.end - dt.timedelta(days=19)  # generate/simulate/sales.py: the spike is the 20th day from the end
# the orders of one local day (Asia/Almaty, the generated organizations' zone) in one workspace
DAY_ORDERS = text("""SELECT count(*) FROM orders WHERE "organizationId" = :o AND "workspaceId" = :w
    AND "deletedAt" IS NULL AND ("orderDate" AT TIME ZONE 'UTC' AT TIME ZONE 'Asia/Almaty')::date = :d""")


@pytest.fixture(scope="module")
def detected(engine):
    generate(engine, OPTIONS)
    compute_daily(engine, OPTIONS.start, OPTIONS.end)
    detect_alerts(engine, OPTIONS.end - dt.timedelta(days=60), OPTIONS.end)
    with engine.connect() as conn:
        spike = conn.execute(
            text("""SELECT CAST(id AS text) AS id, CAST("organizationId" AS text) AS organization,
                           CAST("workspaceId" AS text) AS workspace
                    FROM alerts WHERE kind = 'anomaly' AND subject = 'orders_revenue' AND day = :d
                    AND severity = 'severe'"""),
            {"d": SPIKE_DAY},
        ).one()
        orders = conn.execute(DAY_ORDERS, {"o": spike.organization, "w": spike.workspace, "d": SPIKE_DAY}).scalar()
    owner = next(email for role, email, _org in demo_accounts(engine, OPTIONS) if role == "owner")
    return {"spike": spike, "orders": orders, "owner": owner}


@pytest.fixture
def app(engine, detected, tmp_path, monkeypatch):
    logins = provision_logins(engine, tmp_path)
    with engine.connect() as conn:
        monkeypatch.setenv("PROMETRIC_TENANT_KEY", read_tenant_key(conn))
    for name in ("DATABASE_URL", "JOBS_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("READER_DATABASE_URL", libpq_url(logins[READER_ROLE]))
    monkeypatch.setenv("PROMETRIC_HOME", str(tmp_path))
    monkeypatch.setenv("PROMETRIC_DASHBOARDS_TODAY", OPTIONS.end.isoformat())
    clear_caches()  # the shared page cache and Streamlit's
    st.cache_resource.clear()
    yield detected
    clear_caches()


def test_the_detected_spike_marks_the_overview_and_drills_to_its_days_orders(app):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["preset"] = "30d"  # the spike's day is 19 days before the last
    at.run()
    at.text_input[0].input(app["owner"])
    at.text_input[1].input(DEMO_PASSWORD)
    at.button[0].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    revenue = next(m.label for m in at.metric if m.label.startswith("Revenue"))
    assert "⚠" in revenue
    assert problems(visible_text(at)) == []

    at.query_params["alert"] = app["spike"].id  # the Overview's link carries it so
    at.switch_page("app_pages/alerts.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert app["orders"] > 0
    assert at.tabs[0].label == f"Orders ({app['orders']})"
    assert problems(visible_text(at)) == []
