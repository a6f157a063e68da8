"""Alerts in the dashboards (issue 23): the Alerts page with its filters, acknowledge through the definer
function, who sees which alerts, the Overview's markers and the drill to the rows behind an alert — AppTest
and the query layer on the real reader login, over hand-made rows.

Hand-made: organization A (workspaces Main and North, locale ru-KZ) with its owner (creator), a manager of
Main only (workspace role manager; their employee record's language English), an investor (workspace member,
no employee record) and an employee; organization B with its owner. The day D = 2026-01-10. A's alerts:
`revenue` (anomaly of orders_revenue, Main, D, severe), `received` (anomaly of payments_received, North, D-3,
warning), `stale` (freshness, the whole organization, D-1, info), `acked` (anomaly of orders_count, Main, D-2,
warning, already acknowledged) and `to_ack` (anomaly of gross_profit, Main, D-5, warning; acknowledged by the
test). B's: `other` (anomaly of orders_revenue, D, severe).
Rows of A around D (local day, Asia/Almaty):

| table | Main on D | elsewhere (not behind the `revenue` alert) |
|---|---|---|
| orders | 3 (01:00/02:00, 15:00/16:00, 22:00/23:00 local) | 1 at 00:30/01:30 on D+1; 2 on D in North; 1 on D-1 |
| payments | 2 dated D | 1 dated D in North; 1 dated D+1 |
| invoices | 1 issued D, 1 due D-1 (falls overdue on D) | 1 issued D-2 due D+5; 1 issued D in North |
"""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from typing import Any

import pytest
import streamlit as st
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from prometric_pipelines.config import PROJECT_ROOT, libpq_url
from prometric_pipelines.db.roles import READER_ROLE, provision_logins
from prometric_pipelines.db.tenancy import TenantViewer, read_tenant_key, tenant_session
from prometric_pipelines.metrics.run import compute_daily
from prometric_pipelines.security.passwords import hash_password
from tests.factories import make, make_tenant

sys.path.insert(0, str(PROJECT_ROOT / "dashboards"))  # the app's `lib`, as Streamlit imports it
from lib import queries
from lib.access import Forbidden, scope_for
from lib.auth import load_viewer
from lib.filters import from_query

APP = str(PROJECT_ROOT / "dashboards" / "streamlit_app.py")
D = dt.date(2026, 1, 10)
TODAY = dt.date(2026, 1, 14)  # the app's last day with data: every preset ends here
PASSWORD = "pw-alerts"


def utc(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


@pytest.fixture(scope="module")
def world(engine) -> dict[str, Any]:
    with engine.begin() as conn:
        a, b = make_tenant(conn), make_tenant(conn)
        org, main = a["organization"]["id"], a["workspace"]["id"]
        north = make(conn, "workspaces", organizationId=org, name="North", isDefault=False)["id"]
        people = {"owner": a["owner"]["id"], "other_owner": b["owner"]["id"]}
        for name in ("manager", "investor", "employee"):
            people[name] = make(conn, "users", role="employee", status="active", firstName=name.title())["id"]
        conn.execute(text("UPDATE users SET password = :p, status = 'active' WHERE id = ANY(:ids)"),
                     {"p": hash_password(PASSWORD, rounds=4), "ids": list(people.values())})  # fmt: skip
        conn.execute(text('UPDATE users SET "firstName" = \'Owner\', "lastName" = NULL WHERE id = :i'),
                     {"i": people["owner"]})  # fmt: skip
        make(conn, "workspace_users", workspaceId=main, userId=people["manager"], role="manager")
        # language settings as the e-mail digest reads them: A's locale Russian, the manager's own record English
        conn.execute(text("""UPDATE organizations SET settings = '{"locale": "ru-KZ"}' WHERE id = :o"""), {"o": org})
        make(conn, "employees", userId=people["manager"], organizationRole="manager", organizationId=org,
             workspaceId=main, personalInfo={"language": "en"})  # fmt: skip
        make(conn, "workspace_users", workspaceId=main, userId=people["investor"], role="member")
        make(conn, "employees", userId=people["employee"], organizationRole="employee", organizationId=org,
             workspaceId=main)  # fmt: skip
        in_main = {"organizationId": org, "workspaceId": main}
        in_north = {"organizationId": org, "workspaceId": north}
        sale = {"type": "SALES", "status": "CONFIRMED", "currency": "KZT"}
        orders = {"main_d": [], "other": []}
        # Almaty is UTC+5 (UTC+6 in older time zone data): these instants fall on the same local day in both
        for at in (utc(D - dt.timedelta(days=1), 20), utc(D, 10), utc(D, 17)):
            orders["main_d"].append(make(conn, "orders", orderDate=at, totalAmount=100_000, **sale, **in_main))
        for at, where in ((utc(D, 19, 30), in_main), (utc(D, 10), in_north), (utc(D, 11), in_north),
                          (utc(D - dt.timedelta(days=1), 10), in_main)):  # fmt: skip
            orders["other"].append(make(conn, "orders", orderDate=at, totalAmount=5_000, **sale, **where))
        payment = {"type": "INCOMING", "status": "COMPLETED", "currency": "KZT", "amount": 1_000}
        payments = [make(conn, "payments", paymentDate=D, **payment, **in_main) for _ in range(2)]
        make(conn, "payments", paymentDate=D, **payment, **in_north)
        make(conn, "payments", paymentDate=D + dt.timedelta(days=1), **payment, **in_main)
        invoice = {"type": "SALES", "status": "SENT", "currency": "KZT", "totalAmount": 10_000, "paidAmount": 0}
        invoices = [
            make(conn, "invoices", issueDate=D, dueDate=D + dt.timedelta(days=30), **invoice, **in_main),
            make(conn, "invoices", issueDate=D - dt.timedelta(days=20), dueDate=D - dt.timedelta(days=1), **invoice,
                 **in_main),
        ]  # fmt: skip
        make(conn, "invoices", issueDate=D - dt.timedelta(days=2), dueDate=D + dt.timedelta(days=5), **invoice,
             **in_main)  # fmt: skip
        make(conn, "invoices", issueDate=D, dueDate=D + dt.timedelta(days=30), **invoice, **in_north)

        def alert(key, kind, subject, day, severity, where, **more):
            explained = {"explanation": f"{subject} on {day} is unusual ({key})",
                         "explanationRu": f"{subject} за {day} необычно ({key})"}  # fmt: skip
            return make(conn, "alerts", kind=kind, subject=subject, day=day, severity=severity, **explained,
                        **where, **more)["id"]  # fmt: skip

        whole_a = {"organizationId": org, "workspaceId": None}
        alerts = {
            "revenue": alert("revenue", "anomaly", "orders_revenue", D, "severe", in_main,
                             value=Decimal(300_000), baseline=Decimal(100_000)),
            "received": alert("received", "anomaly", "payments_received", D - dt.timedelta(days=3), "warning",
                              in_north, value=Decimal(9_000), baseline=Decimal(2_000)),
            "stale": alert("stale", "freshness", "daily_metrics", D - dt.timedelta(days=1), "info", whole_a),
            "acked": alert("acked", "anomaly", "orders_count", D - dt.timedelta(days=2), "warning", in_main,
                           acknowledgedBy=people["owner"], acknowledgedAt=utc(D, 12)),
            "to_ack": alert("to_ack", "anomaly", "gross_profit", D - dt.timedelta(days=5), "warning", in_main),
            "other": alert("other", "anomaly", "orders_revenue", D, "severe",
                           {"organizationId": b["organization"]["id"], "workspaceId": b["workspace"]["id"]}),
        }  # fmt: skip
        emails = dict(conn.execute(text("SELECT CAST(id AS text), email FROM users WHERE id = ANY(:ids)"),
                                   {"ids": list(people.values())}).all())  # fmt: skip
    compute_daily(engine, D - dt.timedelta(days=40), TODAY, run_id="test-alerts")  # the Overview's cards
    return {
        "a": str(org),
        "b": str(b["organization"]["id"]),
        "main": str(main),
        "people": {name: str(i) for name, i in people.items()},
        "emails": {name: emails[str(i)] for name, i in people.items()},
        "alerts": {name: str(i) for name, i in alerts.items()},
        "orders": {k: sorted(o["orderNumber"] for o in v) for k, v in orders.items()},
        "payments": sorted(p["paymentNumber"] for p in payments),
        "invoices": sorted(i["invoiceNumber"] for i in invoices),
    }


@pytest.fixture
def app(engine, world, tmp_path_factory, monkeypatch):
    """The environment `prometric dashboards` gives the app (the reader login only), fresh caches."""
    home = tmp_path_factory.mktemp("alerts-home")
    logins = provision_logins(engine, home)  # roles are server-wide: another module may have changed them
    with engine.connect() as conn:
        key = read_tenant_key(conn)
    for name in ("DATABASE_URL", "JOBS_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("READER_DATABASE_URL", libpq_url(logins[READER_ROLE]))
    monkeypatch.setenv("PROMETRIC_TENANT_KEY", key)
    monkeypatch.setenv("PROMETRIC_HOME", str(home))
    monkeypatch.setenv("PROMETRIC_DASHBOARDS_TODAY", TODAY.isoformat())
    queries.clear_caches()  # the shared page cache and Streamlit's
    st.cache_resource.clear()
    yield world
    queries.clear_caches()


def signed_in(world, who: str, query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for name, value in (query or {}).items():
        at.query_params[name] = value
    at.run()
    at.text_input[0].input(world["emails"][who])
    at.text_input[1].input(PASSWORD)
    at.button[0].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def on_alerts_page(world, who: str, query: dict[str, str] | None = None) -> AppTest:
    at = signed_in(world, who, {"preset": "30d", **(query or {})})
    at.switch_page("app_pages/alerts.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def listed(at: AppTest) -> list[str]:
    """The explanations in the Alerts table (each names its alert's key in brackets)."""
    frames = [df.value for df in at.dataframe if "explanation" in df.value.columns]
    if not frames:
        return []
    return sorted(e.rsplit("(", 1)[1].rstrip(")") for e in frames[0]["explanation"])


def reader_scope(world, who: str, organization: str = "a"):
    viewer = load_viewer(queries.reader_engine(), world["people"][who])
    assert viewer is not None
    return scope_for(viewer, viewer.organization(world[organization]), None)


def stored(engine, alert_id: str) -> tuple[Any, Any]:
    with engine.connect() as conn:
        return conn.execute(text('SELECT "acknowledgedBy", "acknowledgedAt" FROM alerts WHERE id = :i'),
                            {"i": alert_id}).one()  # fmt: skip


def test_the_page_lists_the_tenants_alerts_with_the_filters_applied(app):
    at = on_alerts_page(app, "owner")
    assert listed(at) == ["received", "revenue", "stale", "to_ack"]  # not acknowledged (default), none of B's
    at.selectbox(key="alert_severity").set_value("severe").run()
    assert listed(at) == ["revenue"]
    at.selectbox(key="alert_severity").set_value(None).run()
    at.selectbox(key="alert_kind").set_value("anomaly").run()
    assert listed(at) == ["received", "revenue", "to_ack"]
    at.selectbox(key="alert_subject").set_value("payments_received").run()
    assert listed(at) == ["received"]
    at.selectbox(key="alert_subject").set_value(None).run()
    at.selectbox(key="alert_state").set_value("acknowledged").run()
    assert listed(at) == ["acked"]
    frame = next(df.value for df in at.dataframe if "explanation" in df.value.columns)
    assert frame["acknowledged_by"].tolist() == ["Owner"]  # by name, never the id
    at.selectbox(key="alert_state").set_value("any").run()
    assert listed(at) == ["acked", "received", "revenue", "to_ack"]
    at.selectbox(key="alert_language").set_value("ru").run()
    frame = next(df.value for df in at.dataframe if "explanation" in df.value.columns)
    assert "orders_revenue за 2026-01-10 необычно (revenue)" in frame["explanation"].tolist()
    # the sidebar's workspace narrows the list; the organization-wide alert stays
    at.selectbox(key="filter_ws").set_value(app["main"]).run()
    at.selectbox(key="alert_kind").set_value(None).run()
    assert listed(at) == ["acked", "revenue", "stale", "to_ack"]


def test_the_explanation_is_in_the_viewers_language_setting(app):
    owner = on_alerts_page(app, "owner")  # no employee record: the organization's locale (ru-KZ)
    assert owner.selectbox(key="alert_language").value == "ru"
    frame = next(df.value for df in owner.dataframe if "explanation" in df.value.columns)
    assert "orders_revenue за 2026-01-10 необычно (revenue)" in frame["explanation"].tolist()
    manager = on_alerts_page(app, "manager")  # their employee record's personalInfo.language
    assert manager.selectbox(key="alert_language").value == "en"
    frame = next(df.value for df in manager.dataframe if "explanation" in df.value.columns)
    assert "orders_revenue on 2026-01-10 is unusual (revenue)" in frame["explanation"].tolist()


def test_a_manager_of_one_workspace_sees_its_alerts_and_the_organizations(app):
    at = on_alerts_page(app, "manager")
    assert listed(at) == ["revenue", "stale", "to_ack"]  # not North's


def test_acknowledge_sets_who_and_when(app, engine):
    at = on_alerts_page(app, "owner")
    assert stored(engine, app["alerts"]["to_ack"]) == (None, None)
    try:
        at.selectbox(key="alert_chosen").set_value(app["alerts"]["to_ack"]).run()
        at.button(key="alert_acknowledge").click().run()
        assert not at.exception
        by, when = stored(engine, app["alerts"]["to_ack"])
        assert str(by) == app["people"]["owner"] and when is not None
        assert "The alert is acknowledged." in [s.value for s in at.success]
        assert any(t.value.startswith("Acknowledged by Owner at ") for t in at.text)
        assert "to_ack" not in listed(at)  # the default list shows the open ones
    finally:  # the other tests expect it open
        with engine.begin() as conn:
            conn.execute(text('UPDATE alerts SET "acknowledgedBy" = NULL, "acknowledgedAt" = NULL WHERE id = :i'),
                         {"i": app["alerts"]["to_ack"]})  # fmt: skip


@pytest.mark.parametrize("who", ["investor", "employee"])
def test_acknowledge_is_refused_for_a_viewer_without_the_role(app, engine, who):
    scope = reader_scope(app, who)
    with pytest.raises(Forbidden):  # the query layer: before any SQL
        queries.acknowledge_alert(scope, app["alerts"]["revenue"])
    # the database itself, called as that viewer in a verified tenant session
    viewer = TenantViewer(app["people"][who], scope.hr_access)
    with tenant_session(queries.reader_engine(), app["a"], None, viewer=viewer) as conn:
        done = conn.execute(text("SELECT prometric_acknowledge_alert(:a, :u)"),
                            {"a": app["alerts"]["revenue"], "u": app["people"][who]}).scalar_one()  # fmt: skip
    assert done is False
    assert stored(engine, app["alerts"]["revenue"]) == (None, None)


def test_acknowledge_is_refused_for_another_organizations_alert_and_outside_ones_workspaces(app, engine):
    scope = reader_scope(app, "owner")
    assert queries.acknowledge_alert(scope, app["alerts"]["other"]) is False
    assert queries.acknowledge_alert(scope, "not-a-uuid") is False
    assert stored(engine, app["alerts"]["other"]) == (None, None)
    # a manager of Main only: North's alert is not theirs to close
    assert queries.acknowledge_alert(reader_scope(app, "manager"), app["alerts"]["received"]) is False
    assert stored(engine, app["alerts"]["received"]) == (None, None)


def test_alerts_are_invisible_to_another_organization_and_to_viewers_without_access(app):
    f = from_query({"preset": "30d"}, TODAY)
    other = queries.run_page(reader_scope(app, "other_owner", "b"), "alerts", f)["alerts"]
    assert [str(i) for i in other["id"]] == [app["alerts"]["other"]]
    for who in ("investor", "employee"):
        scope = reader_scope(app, who)
        with pytest.raises(Forbidden):
            queries.run_page(scope, "alerts", f)
        assert queries.alert_marks(scope, f).empty
        # the database shows them no alert, whatever SQL asks
        viewer = TenantViewer(app["people"][who], scope.hr_access)
        with tenant_session(queries.reader_engine(), app["a"], None, viewer=viewer) as conn:
            assert conn.execute(text("SELECT count(*) FROM alerts")).scalar_one() == 0
        at = signed_in(app, who, {"preset": "30d"})
        at.switch_page("app_pages/alerts.py").run()
        assert [e.value for e in at.error] == ["Alerts is not available for your role."]
        assert not at.dataframe


def card_labels(at: AppTest) -> dict[str, str]:
    return {m.label.split(" · ")[0]: m.label for m in at.metric}


def test_the_overview_marks_a_card_for_a_day_with_an_alert_and_not_otherwise(app):
    at = signed_in(app, "owner", {"preset": "7d"})  # 2026-01-08 … 14: D's revenue alert and D-2's orders alert
    labels = card_labels(at)
    assert labels["Revenue"] == "Revenue · ⚠ 1 alert"
    assert labels["Orders"] == "Orders · ⚠ 1 alert"
    assert labels["Gross profit"] == "Gross profit"  # its alert (D-5) is outside the range
    assert labels["Headcount"] == "Headcount"
    assert "Alert days" in [h.value for h in at.subheader]
    # each marked card links to its worst alert's drill, with the range kept
    links = {link.proto.label: link.proto.query_string for link in at.get("page_link")}
    assert f"alert={app['alerts']['revenue']}" in links["Revenue: the alert of 2026-01-10"]
    assert "preset=7d" in links["Revenue: the alert of 2026-01-10"]
    assert f"alert={app['alerts']['acked']}" in links["Orders: the alert of 2026-01-08"]
    after = signed_in(app, "owner", {"preset": "custom", "from": "2026-01-11", "to": "2026-01-14"})
    assert all(" · " not in label for label in card_labels(after).values())
    assert "Alert days" not in [h.value for h in after.subheader]
    investor = signed_in(app, "investor", {"preset": "7d"})  # no alerts for an investor: no marker either
    assert card_labels(investor)["Revenue"] == "Revenue"


def drill_rows(at: AppTest, column: str) -> list[str]:
    frames = [df.value for df in at.dataframe if column in df.value.columns]
    assert len(frames) == 1, column
    return sorted(frames[0][column])


def test_the_drill_shows_exactly_the_rows_of_that_day_and_workspace(app):
    at = on_alerts_page(app, "owner", {"alert": app["alerts"]["revenue"]})
    assert at.selectbox(key="alert_chosen").value == app["alerts"]["revenue"]
    assert [t.label for t in at.tabs] == ["Orders (3)", "Payments (2)", "Invoices (2)"]
    assert drill_rows(at, "order_number") == app["orders"]["main_d"]
    assert drill_rows(at, "payment_number") == app["payments"]
    assert drill_rows(at, "invoice") == app["invoices"]
    assert at.query_params["alert"] == app["alerts"]["revenue"]  # the drill is in the URL: a link to share


def test_an_alert_about_the_platforms_jobs_has_no_rows_behind_it(app):
    at = on_alerts_page(app, "owner", {"alert": app["alerts"]["stale"]})
    assert at.selectbox(key="alert_chosen").value == app["alerts"]["stale"]
    assert not at.tabs
    assert any("not a business number" in i.value for i in at.info)
    assert any(t.value == "Workspace: whole organization" for t in at.text)


@pytest.mark.parametrize("link", ["not-an-id", "other"])
def test_a_bad_alert_in_the_link_falls_back_with_a_plain_note(app, link):
    value = app["alerts"]["other"] if link == "other" else "<b>not-an-id</b>"
    at = on_alerts_page(app, "owner", {"alert": value})
    notes = [w.value for w in at.warning]
    assert "The alert in the link is not one of this organization's alerts that you may see; choose one below." in notes
    assert not any(value in n for n in notes)
    assert at.selectbox(key="alert_chosen").value is None
    assert not at.tabs


def test_the_alerts_page_and_the_marked_overview_show_no_none_nan_or_raw_uuid(app):
    from tests.test_dashboards_display import problems, shown_tables, visible_text

    at = on_alerts_page(app, "owner", {"alert": app["alerts"]["revenue"]})
    at.selectbox(key="alert_state").set_value("any").run()  # the acknowledged one too (a person, a time)
    assert len(shown_tables(at)) == 4  # the listing and the drill's three tables
    assert problems(visible_text(at)) == []
    overview = signed_in(app, "owner", {"preset": "7d"})
    assert problems(visible_text(overview)) == []
