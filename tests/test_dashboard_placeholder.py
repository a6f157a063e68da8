"""The placeholder dashboard page: connects and lists each table's exact row count."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from prometric_pipelines.config import PROJECT_ROOT
from prometric_pipelines.db.migrate import head_revision
from tests.factories import make, make_tenant

APP = str(PROJECT_ROOT / "dashboards" / "streamlit_app.py")


def test_database_page_lists_row_counts(engine, database_url, monkeypatch):
    with engine.begin() as conn:
        tenant = make_tenant(conn)
        scope = {"organizationId": tenant["organization"]["id"], "workspaceId": tenant["workspace"]["id"]}
        for _ in range(3):
            make(conn, "orders", **scope)
        make(conn, "customers", **scope)
    monkeypatch.setenv("DATABASE_URL", database_url.render_as_string(hide_password=False))

    app = AppTest.from_file(APP, default_timeout=60).run()

    assert not app.exception, app.exception
    assert app.title[0].value == "Operational database"
    assert head_revision() in app.caption[0].value
    counts = app.dataframe[0].value.set_index("table")["rows"].to_dict()
    assert len(counts) == 39
    # orders.customerId is optional, so the orders made no customers of their own
    assert counts["orders"] == 3
    assert counts["customers"] == 1
    assert counts["organizations"] == 1 and counts["workspaces"] == 1 and counts["users"] == 1
    assert counts["payroll"] == 0
    assert app.metric[1].value == str(sum(counts.values()))


def test_database_page_reports_an_unreachable_database_in_one_line(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://erp:pw@127.0.0.1:9/erp")
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    assert len(app.error) == 1
    assert app.error[0].value.startswith("cannot connect to PostgreSQL at postgresql+psycopg://erp:***@127.0.0.1:9/erp")
