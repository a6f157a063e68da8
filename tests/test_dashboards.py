"""The dashboards through `streamlit.testing.v1.AppTest` on generated `demo` data with the jobs run
(tests/dashboards_data.py): every page × role, KPI values against independent SQL over `metrics`,
forbidden pages, a tampered `?org=`, SQL-looking search input, the lock-out, the ratio rule, and the
owner-only Database page against the stored health snapshot."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
import time
from decimal import Decimal

import pandas as pd
import psycopg
import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from prometric_pipelines.config import PROJECT_ROOT, libpq_url
from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.generate.run import DEMO_PASSWORD
from prometric_pipelines.maintenance.backup import MANIFEST_FORMAT, backup_directory
from prometric_pipelines.maintenance.health import take_snapshot
from tests.factories import make, make_tenant

sys.path.insert(0, str(PROJECT_ROOT / "dashboards"))  # the app's `lib`, as Streamlit imports it

from lib import format as fmt
from lib.access import PAGES, Forbidden, Scope
from lib.filters import from_query
from lib.queries import clear_caches, metric_series, page_data, reader_session, run_page

APP = str(PROJECT_ROOT / "dashboards" / "streamlit_app.py")
# hand-written from the spec, not from lib.access
EXPECTED_PAGES = {
    "owner": {"overview", "sales", "finance", "inventory", "hr", "operations", "audit", "data_quality", "database",
              "alerts"},
    "manager": {"overview", "sales", "finance", "inventory", "hr", "operations", "audit", "data_quality", "alerts"},
    "investor": {"overview", "finance"},
    # no Overview: it shows the company's revenue, profit and cash flow (issue 20, item 10)
    "employee": {"my_tasks", "my_payslips"},
}  # fmt: skip


def signed_in(data, role: str, query: dict[str, str] | None = None, password: str = DEMO_PASSWORD) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    at.text_input[0].input(data.accounts[role][0])
    at.text_input[1].input(password)
    at.button[0].click()
    return at.run()


def organization_id(data, name: str) -> str:
    with data.owner.connect() as conn:
        return str(conn.execute(text("SELECT id FROM organizations WHERE name = :n"), {"n": name}).scalar_one())


def metric_total(data, org: str, name: str, start: dt.date, end: dt.date) -> Decimal:
    """Independent: Σ of the daily rows of a flow metric over every workspace of the organization."""
    with data.owner.connect() as conn:
        return conn.execute(
            text(
                "SELECT coalesce(sum(value), 0) FROM metrics WHERE \"organizationId\" = :org AND period = 'daily' "
                "AND name = :name AND date BETWEEN :start AND :end"
            ),
            {"org": org, "name": name, "start": start, "end": end},
        ).scalar_one()


def metric_snapshot(data, org: str, name: str, day: dt.date) -> Decimal:
    with data.owner.connect() as conn:
        return conn.execute(
            text(
                "SELECT sum(value) FROM metrics WHERE \"organizationId\" = :org AND period = 'daily' "
                "AND name = :name AND date = :day"
            ),
            {"org": org, "name": name, "day": day},
        ).scalar_one()


def metric_ratio(data, org: str, name: str, start: dt.date, end: dt.date) -> float:
    with data.owner.connect() as conn:
        numerator, denominator = conn.execute(
            text(
                "SELECT sum((metadata->>'numerator')::numeric), sum((metadata->>'denominator')::numeric) "
                "FROM metrics WHERE \"organizationId\" = :org AND period = 'daily' AND name = :name "
                "AND date BETWEEN :start AND :end"
            ),
            {"org": org, "name": name, "start": start, "end": end},
        ).one()
    return float(numerator) / float(denominator)


def shown_metrics(at: AppTest) -> dict[str, str]:
    return {m.label.split(" · ")[0]: m.value for m in at.metric}  # labels are the card titles


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


@pytest.mark.parametrize("role", ["owner", "manager", "investor", "employee"])
def test_every_page_for_every_role(app_env, role):
    at = signed_in(app_env, role)
    assert not at.exception, [e.value for e in at.exception]
    scope = at.session_state["scope"]
    assert set(scope.pages) == EXPECTED_PAGES[role]
    assert set().union(*EXPECTED_PAGES.values()) <= set(PAGES)  # the loop below visits every spec'd page
    for page, title in PAGES.items():
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, (role, page, [e.value for e in at.exception])
        if page in EXPECTED_PAGES[role]:
            assert not errors(at), (role, page, errors(at))
        else:
            # reachable only by URL (registered hidden): the message, and nothing of the page's data
            assert errors(at) == [f"{title} is not available for your role."], (role, page)
            assert not at.metric and not at.dataframe


def test_overview_and_sales_figures_equal_the_metrics_rows(app_env):
    at = signed_in(app_env, "owner", {"preset": "30d", "grain": "week"})
    org = organization_id(app_env, app_env.accounts["owner"][1])
    assert at.session_state["scope"].organization_id == org
    end = app_env.today
    start = end - dt.timedelta(days=29)
    previous = (start - dt.timedelta(days=30), start - dt.timedelta(days=1))
    revenue = metric_total(app_env, org, "orders_revenue", start, end)
    assert revenue > 0
    cards = shown_metrics(at)
    assert cards["Revenue"] == fmt.compact_kzt(revenue)
    assert cards["Orders"] == fmt.number(metric_total(app_env, org, "orders_count", start, end))
    assert cards["Headcount"] == fmt.number(metric_snapshot(app_env, org, "headcount", end))
    assert cards["Accounts receivable"] == fmt.compact_kzt(metric_snapshot(app_env, org, "accounts_receivable", end))
    aov = metric_ratio(app_env, org, "average_order_value", start, end)
    assert cards["Average order value"] == fmt.compact_kzt(aov)
    revenue_card = next(m for m in at.metric if m.label.startswith("Revenue"))
    assert revenue_card.delta == fmt.change(revenue, metric_total(app_env, org, "orders_revenue", *previous))

    at.switch_page("app_pages/sales.py").run()
    figures = shown_metrics(at)
    assert figures["Revenue"] == fmt.kzt(revenue)
    assert figures["Win rate"] == fmt.percent(metric_ratio(app_env, org, "win_rate", start, end) * 100)
    at.switch_page("app_pages/finance.py").run()
    assert shown_metrics(at)["Received"] == fmt.kzt(metric_total(app_env, org, "payments_received", start, end))


def test_a_tampered_org_in_the_url_shows_nothing_of_it(app_env):
    own_name = app_env.accounts["owner"][1]
    with app_env.owner.connect() as conn:
        other_id, other_name = conn.execute(
            text("SELECT id, name FROM organizations WHERE name <> :n ORDER BY name LIMIT 1"), {"n": own_name}
        ).one()
    # the demo owner is also a member of the other demo organization: for this test they are not
    with app_env.owner.begin() as conn:
        guest_rows = conn.execute(GUEST_MEMBERSHIPS_OFF, {"email": app_env.accounts["owner"][0], "org": other_id})
        guest_ids = guest_rows.scalars().all()
    try:
        _tampered_org_shows_nothing(app_env, own_name, other_id, other_name)
    finally:
        with app_env.owner.begin() as conn:
            conn.execute(text('UPDATE workspace_users SET "isActive" = true WHERE id = ANY(:ids)'), {"ids": guest_ids})


GUEST_MEMBERSHIPS_OFF = text("""UPDATE workspace_users wu SET "isActive" = false FROM users u, workspaces w
    WHERE u.id = wu."userId" AND u.email = :email AND w.id = wu."workspaceId" AND w."organizationId" = :org
    RETURNING wu.id""")


def _tampered_org_shows_nothing(app_env, own_name, other_id, other_name):
    at = signed_in(app_env, "owner", {"org": str(other_id), "preset": "30d"})
    assert not at.exception
    assert any("not one of yours" in w.value for w in at.warning)
    scope = at.session_state["scope"]
    assert scope.organization_id == organization_id(app_env, own_name)
    assert at.query_params["org"] == scope.organization_id  # the link is rewritten to the own organization
    # (the other organization's name may also be a customer's: the generator draws both from one pool)
    own_revenue = metric_total(app_env, scope.organization_id, "orders_revenue", app_env.today - dt.timedelta(days=29),
                               app_env.today)  # fmt: skip
    other_revenue = metric_total(app_env, str(other_id), "orders_revenue", app_env.today - dt.timedelta(days=29),
                                 app_env.today)  # fmt: skip
    assert own_revenue != other_revenue
    assert shown_metrics(at)["Revenue"] == fmt.compact_kzt(own_revenue)
    assert other_name not in " ".join(str(e.value) for e in (*at.caption, *at.selectbox))
    for page in ("overview", "sales", "finance"):
        at.switch_page(f"app_pages/{page}.py").run()
        assert str(other_id) not in " ".join(df.value.to_csv() for df in at.dataframe)
    # the query layer itself refuses a scope the viewer was not given (permission before SQL)
    with pytest.raises(Forbidden):
        run_page(Scope(str(other_id), None, scope.user_id, ("overview",), "none"), "hr", from_query({}, app_env.today))


@pytest.mark.parametrize("attack", ["' OR 1=1 --", "'; DROP TABLE users; --"])
def test_sql_looking_search_input_is_harmless(app_env, attack):
    with app_env.owner.connect() as conn:
        users_before = conn.execute(text("SELECT count(*) FROM users")).scalar_one()
    at = signed_in(app_env, "owner", {"preset": "90d"})
    at.switch_page("app_pages/sales.py").run()
    at.text_input[0].input(attack).run()
    assert not at.exception and not errors(at)
    assert at.session_state["scope"] is not None
    # no deal title or customer contains the text: no rows (not "all rows" as an injection would give)
    assert not any("title" in df.value.columns for df in at.dataframe)
    assert any("No deals match" in i.value for i in at.info)
    at.switch_page("app_pages/audit.py").run()
    at.text_input[0].input(attack).run()
    assert not at.exception and not errors(at)
    assert any("No audit rows match" in i.value for i in at.info)
    with app_env.owner.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM users")).scalar_one() == users_before


def test_five_bad_passwords_lock_the_account(app_env):
    email = app_env.accounts["investor"][0]
    try:
        for attempt in range(5):
            at = signed_in(app_env, "investor", password=f"wrong-{attempt}")
            assert "viewer" not in at.session_state
        assert errors(at) and "locked" in errors(at)[0]
        at = signed_in(app_env, "investor")  # the right password, sixth attempt
        assert "viewer" not in at.session_state
        assert "locked" in errors(at)[0]
    finally:  # the other tests sign in as the investor
        with app_env.owner.begin() as conn:
            conn.execute(text("DELETE FROM security_account_locks WHERE email = :e"), {"e": email.lower()})


def test_combining_workspaces_recomputes_a_ratio_from_numerator_and_denominator(app_env):
    day = dt.date(2025, 6, 2)
    with app_env.owner.begin() as conn:
        tenant = make_tenant(conn)
        org = tenant["organization"]["id"]
        branch = make(conn, "workspaces", organizationId=org, name="Branch")
        # head office wins 1 of 4 deals (25 %), the branch 9 of 10 (90 %): together 10 of 14 = 71.43 %,
        # not the average 57.5 %; revenue sums to 300
        for workspace, won, decided, revenue in ((tenant["workspace"], 1, 4, 100), (branch, 9, 10, 200)):
            for name, value, meta in (
                ("win_rate", Decimal(won * 100) / decided, {"numerator": won, "denominator": decided}),
                ("orders_revenue", Decimal(revenue), {}),
            ):
                conn.execute(
                    text(
                        'INSERT INTO metrics ("organizationId", "workspaceId", name, type, period, value, date, '
                        "metadata) VALUES (:org, :ws, :name, 'crm', 'daily', round(:value, 2), :day, "
                        "CAST(:meta AS jsonb))"
                    ),
                    {"org": org, "ws": workspace["id"], "name": name, "value": value, "day": day,
                     "meta": __import__("json").dumps(meta)},
                )  # fmt: skip
    reader = create_db_engine(app_env.env["READER_DATABASE_URL"])
    try:
        scope = Scope(str(org), None, str(tenant["owner"]["id"]), ("overview",), "all")
        with reader_session(scope, reader) as conn:
            rows = metric_series(conn, scope, ["win_rate", "orders_revenue"], "daily", day, day)
        values = dict(zip(rows["name"], rows["value"], strict=True))
        assert values["win_rate"] == pytest.approx(10 / 14 * 100)
        assert values["orders_revenue"] == 300
        one = Scope(str(org), (str(branch["id"]),), str(tenant["owner"]["id"]), ("overview",), "all")
        with reader_session(one, reader) as conn:
            rows = metric_series(conn, one, ["win_rate"], "daily", day, day)
        assert rows["value"].tolist() == [pytest.approx(90.0)]
    finally:
        reader.dispose()


def test_the_database_itself_hides_hr_rows_the_role_may_not_see(app_env):
    """Raw SQL inside the dashboards' one reader session (no query-layer check on the way): the viewer's
    signed HR access decides what payroll and employee rows exist for it."""
    email, organization = app_env.accounts["employee"]
    org = organization_id(app_env, organization)
    with app_env.owner.connect() as conn:
        user_id, employee_id = conn.execute(
            text('SELECT u.id, e.id FROM users u JOIN employees e ON e."userId" = u.id '
                 'WHERE u.email = :email AND e."organizationId" = :org'),
            {"email": email, "org": org},
        ).one()  # fmt: skip
        expected = conn.execute(
            text('SELECT count(*) FILTER (WHERE "employeeId" = :employee AND status <> \'DRAFT\'), count(*), '
                 'count(*) FILTER (WHERE "employeeId" = :employee AND status = \'DRAFT\') FROM payroll '
                 'WHERE "organizationId" = :org'),
            {"employee": employee_id, "org": org},
        ).one()  # fmt: skip
        staff = conn.execute(text('SELECT count(*) FROM employees WHERE "organizationId" = :org'), {"org": org})
        staff = staff.scalar_one()
    own_payslips, all_payslips, own_drafts = expected
    # `self` sees its own payslips once approved, never its drafts (issue 20, item 10)
    assert 0 < own_payslips < all_payslips and own_drafts > 0 and staff > 1
    reader = create_db_engine(app_env.env["READER_DATABASE_URL"])
    try:
        seen = {}
        for access in ("all", "self", "none"):
            scope = Scope(org, None, str(user_id), ("overview",), access, employee_id=str(employee_id))
            with reader_session(scope, reader) as conn:
                seen[access] = (
                    conn.execute(text("SELECT count(*) FROM payroll")).scalar_one(),
                    conn.execute(text("SELECT count(*) FROM employees")).scalar_one(),
                    conn.execute(text("SELECT count(*) FROM orders")).scalar_one() > 0,
                )
        assert seen == {
            "all": (all_payslips, staff, True),
            "self": (own_payslips, 1, True),
            "none": (0, 0, True),
        }
    finally:
        reader.dispose()


def test_an_idle_session_expires_and_asks_to_sign_in_again(app_env, monkeypatch):
    monkeypatch.setenv("PROMETRIC_DASHBOARDS_IDLE_MINUTES", "30")
    at = signed_in(app_env, "owner")
    assert at.session_state["viewer"] is not None and not at.exception
    # 29 minutes idle: still signed in; 31 minutes: signed out, with the reason shown
    at.session_state["last_seen"] = time.monotonic() - 29 * 60
    at.run()
    assert "viewer" in at.session_state and at.session_state["viewer"] is not None
    at.session_state["last_seen"] = time.monotonic() - 31 * 60
    at.run()
    assert "viewer" not in at.session_state
    assert any("session expired" in w.value for w in at.warning)
    assert len(at.text_input) == 2 and not at.metric  # the sign-in form, no data


# ---- the owner-only Database page -----------------------------------------------------------------

SECRET = "secret-of-some-tenant-4711"  # a value inside a long-running query's text


def shown_text(at: AppTest) -> str:
    """Everything the page shows as text: captions, markdown, notes, cards (and their tooltips), tables."""
    parts = [e.value for e in (*at.title, *at.subheader, *at.caption, *at.markdown, *at.info, *at.warning, *at.error)]
    parts += [f"{m.label} {m.value} {m.proto.help}" for m in at.metric]
    parts += [df.value.to_csv() for df in at.dataframe]
    return "\n".join(str(part) for part in parts)


def frame_with(at: AppTest, *columns: str):
    frames = [df.value for df in at.dataframe if set(columns) <= set(df.value.columns)]
    assert len(frames) == 1, [list(df.value.columns) for df in at.dataframe]
    return frames[0]


def write_backup(directory, database: str, started: dt.datetime, content: bytes, duration: float) -> str:
    """A complete backup as `prometric db backup` lays it out: the dump and, beside it, its manifest."""
    name = f"{database}-{started:%Y%m%dT%H%M%SZ}"
    (directory / f"{name}.dump").write_bytes(content)
    manifest = {"format": MANIFEST_FORMAT, "database": database, "file": f"{name}.dump", "size_bytes": len(content),
                "sha256": hashlib.sha256(content).hexdigest(), "started_at": started.isoformat(),
                "duration_seconds": duration, "tables": {"users": 1}}  # fmt: skip
    (directory / f"{name}.json").write_text(json.dumps(manifest))
    return f"{name}.dump"


def test_the_database_page_shows_the_latest_health_snapshot_to_the_owner(app_env, tmp_path, monkeypatch):
    monkeypatch.setenv("ARCHIVE_URL", str(tmp_path / "archive"))
    with app_env.owner.begin() as conn:  # other tests of the session may have taken snapshots
        conn.execute(text("DELETE FROM maintenance_health_snapshots"))
    clear_caches()
    at = signed_in(app_env, "owner")
    at.switch_page("app_pages/database.py").run()
    assert not at.exception and not errors(at), errors(at)
    notes = [i.value for i in at.info]
    assert notes == ["No health snapshot yet: run `prometric db health`.", "No backup yet: run `prometric db backup`."]
    assert not at.metric and not at.dataframe

    # a session idle in a transaction after a query holding a tenant's value: a "long-running" query for a
    # threshold of 0 s, so the snapshot stores its text (which the page must not show)
    with psycopg.connect(libpq_url(app_env.url), application_name="test-long-running") as holder:
        holder.execute(f"SELECT '{SECRET}' AS value")
        holder_pid = holder.info.backend_pid
        take_snapshot(app_env.owner, run_key="test-dashboards", long_running_seconds=0)
        holder.rollback()
    database = app_env.url.database
    directory = backup_directory(database)
    directory.mkdir(parents=True)
    day = dt.datetime(2026, 12, 1, 1, 30, tzinfo=dt.UTC)
    files = [write_backup(directory, database, day + dt.timedelta(days=n), b"x" * (1000 + n), 10.0 + n)
             for n in range(6)]  # fmt: skip

    clear_caches()
    at.switch_page("app_pages/database.py").run()
    assert not at.exception and not errors(at), errors(at)

    # independent SQL over what the health job stored (and the live catalog)
    with app_env.owner.connect() as conn:
        snapshot = conn.execute(
            text('SELECT id, "takenAt", "databaseBytes", "serverConnections", "maxConnections", '
                 '"longRunningQueries" FROM maintenance_health_snapshots ORDER BY "takenAt" DESC LIMIT 1')
        ).one()  # fmt: skip
        largest = conn.execute(
            text('SELECT "tableName", "totalBytes", "liveTuples", "deadTuples" FROM maintenance_health_tables '
                 'WHERE "snapshotId" = :id AND "schemaName" = \'public\' ORDER BY "totalBytes" DESC LIMIT 2'),
            {"id": snapshot.id},
        ).all()  # fmt: skip
        live_size = conn.execute(
            text("SELECT pg_total_relation_size(CAST(:name AS regclass))"), {"name": f'public."{largest[0][0]}"'}
        ).scalar_one()
        unused_count, unused_bytes = conn.execute(
            text('SELECT count(*), coalesce(sum("indexBytes"), 0) FROM maintenance_health_indexes '
                 'WHERE "snapshotId" = :id AND unused'),
            {"id": snapshot.id},
        ).one()  # fmt: skip
        stored_texts = conn.execute(
            text('SELECT query FROM maintenance_health_queries WHERE "snapshotId" = :id AND pid = :pid'),
            {"id": snapshot.id, "pid": holder_pid},
        ).scalars().all()  # fmt: skip
    assert largest[0].totalBytes > largest[1].totalBytes  # the first row is not a tie
    assert stored_texts and SECRET in stored_texts[0]  # the job kept the text; the page must not show it

    assert any(c.value == f"Snapshot taken {snapshot.takenAt:%Y-%m-%d %H:%M} UTC (hourly by the database_health job)"
               for c in at.caption)  # fmt: skip
    cards = shown_metrics(at)
    assert cards["Database size"] == fmt.size(snapshot.databaseBytes)
    used, limit = fmt.number(snapshot.serverConnections), fmt.number(snapshot.maxConnections)
    assert cards["Connections used / max"] == f"{used} / {limit}"
    assert snapshot.longRunningQueries >= 1
    assert cards["Long-running queries"] == fmt.number(snapshot.longRunningQueries)
    assert unused_count > 0  # the demo schema has indexes no query of this test database scanned yet
    assert cards["Unused indexes"] == f"{unused_count} · {fmt.size(unused_bytes)}"

    tables = frame_with(at, "table", "total_bytes", "last_analyzed")
    first = tables.iloc[0]
    assert (first["table"], first["total_bytes"]) == (largest[0].tableName, largest[0].totalBytes)
    assert (first["live_tuples"], first["dead_tuples"]) == (largest[0].liveTuples, largest[0].deadTuples)
    # the stored size is the seed's pg_total_relation_size (autovacuum may have added a map fork since)
    assert abs(live_size - first["total_bytes"]) <= 0.02 * live_size
    indexes = frame_with(at, "index_name", "index_scans", "tuples_read", "tuples_fetched", "index_bytes", "unused")
    assert int(indexes["unused"].sum()) == unused_count

    running = frame_with(at, "pid", "duration_seconds")
    assert "query" not in running.columns
    held = running[running["pid"] == holder_pid]
    assert held[["application_name", "state"]].values.tolist() == [["test-long-running", "idle in transaction"]]
    assert SECRET not in shown_text(at)

    backups = frame_with(at, "file", "taken_at", "size_bytes", "duration_seconds")
    assert backups["file"].tolist() == files[::-1][:5]  # the newest five, newest first
    assert backups["size_bytes"].tolist() == [1005, 1004, 1003, 1002, 1001]
    assert backups["taken_at"].iloc[0] == pd.Timestamp("2026-12-06 01:30:00")
    assert any("newest 5 of 6" in c.value for c in at.caption)


@pytest.mark.parametrize("role", ["manager", "investor", "employee"])
def test_the_database_page_shows_nothing_to_anyone_but_an_owner(app_env, role):
    take_snapshot(app_env.owner, run_key=f"test-dashboards-{role}")
    clear_caches()
    at = signed_in(app_env, role)
    assert "database" not in at.session_state["scope"].pages
    at.switch_page("app_pages/database.py").run()
    assert not at.exception
    assert errors(at) == ["Database is not available for your role."]
    assert not at.metric and not at.dataframe and not at.info
    assert "Snapshot taken" not in shown_text(at) and "Largest tables" not in shown_text(at)
    # the query layer refuses too, before any connection: this engine's server does not exist
    nowhere = create_db_engine("postgresql+psycopg://nobody@127.0.0.1:9/nowhere", connect_attempts=1)
    scope = at.session_state["scope"]
    f = at.session_state["filters"]
    try:
        with pytest.raises(Forbidden, match="Database is not available for your role"):
            run_page(scope, "database", f, nowhere)
        with pytest.raises(Forbidden):
            page_data(scope, "database", f)  # the app's cached wrapper
    finally:
        nowhere.dispose()


def test_the_data_quality_page_shows_what_the_jobs_left_out(app_env):
    """The owner's Data-quality page: its cards and table equal independent sums over the jobs' skip tables
    (with three skipped orders and one out-of-range rollup value recorded for the range's last day)."""
    at = signed_in(app_env, "owner", {"preset": "90d"})
    filters, org = at.session_state["filters"], at.session_state["scope"].organization_id
    window = {"o": org, "s": filters.start, "e": filters.end}
    with app_env.owner.begin() as conn:
        for step, source, reason, rows in (
            ("daily", "orders", "status is NULL", 3),
            ("monthly", "metrics", "value out of range for NUMERIC(15,2)", 1),
        ):
            make(conn, "metrics_skipped_rows", organizationId=org, step=step, date=filters.end, source=source,
                 reason=reason, rows=rows, runId="test-data-quality")  # fmt: skip
    clear_caches()  # an earlier test may have cached this page for the same scope and range
    try:
        at.switch_page("app_pages/data_quality.py").run()
        assert not at.exception and not errors(at)
        with app_env.owner.connect() as conn:
            metrics = conn.execute(
                text("""SELECT sum(rows) FROM metrics_skipped_rows
                        WHERE "organizationId" = :o AND date BETWEEN :s AND :e"""),
                window,
            ).scalar_one()
            payroll = conn.execute(
                text("""SELECT count(*) FROM payroll_skips WHERE "organizationId" = :o
                        AND make_date(year, month, 1) BETWEEN date_trunc('month', CAST(:s AS date)) AND :e"""),
                window,
            ).scalar_one()
        assert metrics >= 4
        cards = shown_metrics(at)
        assert cards["Left out by metrics"] == fmt.number(metrics)
        assert cards["Left out by payroll"] == fmt.number(payroll)
        frame = at.dataframe[0].value
        shown = frame.set_index(["job", "source", "reason"])["rows"]
        assert shown[("metrics daily", "orders", "status is NULL")] >= 3
        assert int(frame.loc[frame["job"].str.startswith("metrics"), "rows"].sum()) == metrics
    finally:
        with app_env.owner.begin() as conn:
            conn.execute(text("DELETE FROM metrics_skipped_rows WHERE \"runId\" = 'test-data-quality'"))


def test_the_data_quality_page_is_not_for_investors_or_employees(app_env):
    for role in ("investor", "employee"):
        at = signed_in(app_env, role)
        assert "data_quality" not in at.session_state["scope"].pages
        at.switch_page("app_pages/data_quality.py").run()
        assert not at.dataframe and any("not available for your role" in e.value for e in at.error)
