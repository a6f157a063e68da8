"""What the dashboards show to people (issue 20 items 2–5, 9; issue 19 item 7), through `AppTest` on the
demo data of tests/dashboards_data.py: every page × role rendered and its visible text scanned for
`None`, `NaN`, six-decimal numbers and raw UUIDs; the formatting layer; KPI targets scaled to the range;
the Audit page's paging and names; the Finance cards adding up; Inventory's units; the Overdue card
against its table; untrusted URL parameters and search input shown only as plain text."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import text
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from prometric_pipelines.config import PROJECT_ROOT
from tests.test_dashboards import EXPECTED_PAGES, metric_snapshot, metric_total, organization_id, signed_in

sys.path.insert(0, str(PROJECT_ROOT / "dashboards"))

from lib import format as fmt
from lib.filters import from_query
from lib.queries import kpi_table, periods_covered

NBSP = "\u00a0"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
SIX_DECIMALS = re.compile(r"\d\.\d{6}")
MISSING_WORDS = re.compile(r"\b(None|NaN|nan|NaT|null)\b")


def shown_tables(at: AppTest) -> list[pd.DataFrame]:
    """Every table as the browser shows it: the formatted display values under the shown headers."""
    tables = []
    for element in at.dataframe:
        proto = element.proto
        styled = proto.arrow_data.styler.display_values
        raw = element.value
        frame = convert_arrow_bytes_to_pandas_df(styled) if styled else raw.astype(str)
        # the browser draws an empty cell as "None" whatever its display value is
        frame = frame.mask(raw.isna().to_numpy(), "None")
        labels = {name: config.get("label", name) for name, config in json.loads(proto.columns or "{}").items()}
        tables.append(frame.rename(columns=labels))
    return tables


def visible_text(at: AppTest) -> str:
    parts = [e.value for e in (*at.title, *at.header, *at.subheader, *at.caption, *at.markdown, *at.text,
                               *at.info, *at.warning, *at.error, *at.success)]  # fmt: skip
    parts += [f"{m.label} {m.value} {m.proto.help}" for m in at.metric]
    parts += [" ".join(map(str, s.options)) + f" {s.label}" for s in at.selectbox]
    parts += [frame.to_csv(index=False) for frame in shown_tables(at)]
    return "\n".join(str(part) for part in parts)


def problems(shown: str) -> list[str]:
    found = [f"missing value shown: {m.group(0)!r}" for m in MISSING_WORDS.finditer(shown)]
    found += [f"six decimals: {m.group(0)!r}" for m in SIX_DECIMALS.finditer(shown)]
    found += [f"raw UUID: {m.group(0)!r}" for m in UUID.finditer(shown)]
    return found


def open_drill_downs(at: AppTest, page: str) -> None:
    """The detail views behind a choice (a deal, an employee) render tables of their own: open the first."""
    label = {"sales": "Deal details", "hr": "Employee details"}.get(page)
    if label is None:
        return
    box = next((s for s in at.selectbox if s.label == label), None)
    if box is not None and len(box.options) > 1:
        box.select_index(1).run()


@pytest.mark.parametrize("role", ["owner", "manager", "investor", "employee"])
def test_no_page_shows_none_nan_six_decimals_or_raw_uuids(app_env, role):
    at = signed_in(app_env, role, {"preset": "90d", "grain": "week"})
    assert not at.exception
    checked = 0
    for page in sorted(EXPECTED_PAGES[role]):
        at.switch_page(f"app_pages/{page}.py").run()
        open_drill_downs(at, page)
        assert not at.exception, (role, page, [e.value for e in at.exception])
        assert not at.error, (role, page, [e.value for e in at.error])
        shown = visible_text(at)
        assert problems(shown) == [], (role, page, problems(shown)[:10])
        checked += len(shown_tables(at))
    assert checked >= (3 if role in ("investor", "employee") else 10)  # the scan saw real tables


def test_the_scan_catches_what_it_is_for():
    assert problems("Closed None · Paid on NaN · nan") == [
        "missing value shown: 'None'", "missing value shown: 'NaN'", "missing value shown: 'nan'"
    ]  # fmt: skip
    assert problems("0.100000 and 3f2a9c1e-0000-4000-8000-00000000abcd") == [
        "six decimals: '0.100000'", "raw UUID: '3f2a9c1e-0000-4000-8000-00000000abcd'"
    ]  # fmt: skip
    assert problems("10 % · 12.5 кг · 3f2a9c1e… · — · Nancy") == []


def test_the_formatting_layer():
    assert fmt.rate(Decimal("0.100000")) == f"10{NBSP}%"
    assert fmt.rate(0.095) == f"9.5{NBSP}%"
    assert fmt.quantity(Decimal("12.500"), "кг") == f"12.5{NBSP}кг"
    assert fmt.quantity(Decimal("0.000000"), "шт") == f"0{NBSP}шт"
    assert fmt.quantity(1234567, "шт") == f"1{NBSP}234{NBSP}567{NBSP}шт"
    assert fmt.plain(Decimal("3.000000")) == "3" and fmt.plain(2.5) == "2.5" and fmt.plain(1 / 3) == "0.33"
    for missing in (None, float("nan"), pd.NaT, pd.NA):
        assert fmt.plain(missing) == fmt.date(missing) == fmt.kzt(missing) == fmt.rate(missing) == "—"
    assert fmt.date(dt.datetime(2025, 11, 30, 23, 5)) == "2025-11-30"
    assert fmt.timestamp(pd.Timestamp("2025-11-30 23:05")) == "2025-11-30 23:05"
    assert fmt.person("Aigerim Sadykova", "3f2a9c1e-0000-4000-8000-00000000abcd") == "Aigerim Sadykova"
    assert fmt.person(None, None) == "system"  # a job wrote the row
    assert fmt.person(None, "3f2a9c1e-0000-4000-8000-00000000abcd") == "unknown user"
    assert fmt.header("paid_on") == "Paid on" and fmt.header("entityId") == "Entity ID"
    assert fmt.header("createdAt") == "Created at" and fmt.header("ipn") == "ИПН"
    assert fmt.short_ids('{"dealId": "3f2a9c1e-0000-4000-8000-00000000abcd"}') == '{"dealId": "3f2a9c1e…"}'
    assert fmt.percent_whole(Decimal("12.00")) == f"12{NBSP}%"


# ---- KPI targets ------------------------------------------------------------------------------------


def test_targets_scale_with_the_range_exactly():
    assert periods_covered("monthly", dt.date(2025, 6, 1), dt.date(2025, 6, 30)) == pytest.approx(1.0)
    # 16–31 July (16 of 31 days) and 1–15 August (15 of 31)
    assert periods_covered("monthly", dt.date(2025, 7, 16), dt.date(2025, 8, 15)) == pytest.approx(16 / 31 + 15 / 31)
    assert periods_covered("quarterly", dt.date(2025, 1, 1), dt.date(2025, 3, 31)) == pytest.approx(1.0)
    assert periods_covered("yearly", dt.date(2024, 1, 1), dt.date(2024, 1, 31)) == pytest.approx(31 / 366)
    assert periods_covered("daily", dt.date(2025, 1, 1), dt.date(2025, 1, 7)) == 7
    assert periods_covered("weekly", dt.date(2025, 1, 1), dt.date(2025, 1, 14)) == 2

    f = from_query({"preset": "custom", "from": "2025-09-01", "to": "2025-11-29", "grain": "week"},
                   dt.date(2025, 11, 30))  # fmt: skip
    definitions = pd.DataFrame([
        {"name": "orders_revenue", "description": "", "formula": None, "unit": "KZT", "target": 30_000.0,
         "frequency": "monthly", "category": "sales"},
        {"name": "win_rate", "description": "", "formula": None, "unit": "%", "target": 45.0,
         "frequency": "monthly", "category": "crm"},
        {"name": "daily_revenue_target", "description": "", "formula": "orders_revenue", "unit": "KZT",
         "target": 1_000.0, "frequency": "daily", "category": "sales"},
    ])  # fmt: skip
    totals = pd.DataFrame([{"name": "orders_revenue", "value": 88_000.0}, {"name": "win_rate", "value": 40.0}])
    rows = kpi_table(definitions, totals, f).set_index("name")
    # September 30/30 + October 31/31 + 1–29 November 29/30 months; 90 days of 1 000 a day
    assert rows.loc["orders_revenue", "range_target"] == pytest.approx(30_000 * (2 + 29 / 30))
    assert rows.loc["orders_revenue", "status"] == "below target"  # 88 000 < 89 000
    assert rows.loc["orders_revenue", "grain_target"] == pytest.approx(30_000 * 7 / (365.25 / 12))
    assert rows.loc["win_rate", "range_target"] == 45.0 and rows.loc["win_rate", "status"] == "below target"
    assert rows.loc["daily_revenue_target", "value"] == 88_000.0
    assert rows.loc["daily_revenue_target", "range_target"] == pytest.approx(90_000.0)


def test_the_kpi_table_compares_with_the_target_of_the_range(app_env):
    at = signed_in(app_env, "owner", {"preset": "custom", "from": "2025-09-01", "to": "2025-11-30", "grain": "month"})
    org = organization_id(app_env, app_env.accounts["owner"][1])
    with app_env.owner.connect() as conn:
        target = conn.execute(
            text("SELECT \"targetValue\" FROM kpi_definitions WHERE \"organizationId\" = :org "
                 "AND name = 'orders_revenue' AND frequency = 'monthly'"), {"org": org}
        ).scalar_one()  # fmt: skip
    revenue = metric_total(app_env, org, "orders_revenue", dt.date(2025, 9, 1), dt.date(2025, 11, 30))
    kpis = next(t for t in shown_tables(at) if "Target for range" in t.columns)
    row = kpis[kpis["Name"] == "orders_revenue"].iloc[0]
    assert row["Target for range"] == fmt.kzt(float(target) * 3)  # three whole months
    assert row["Value"] == fmt.kzt(revenue)
    assert row["Status"] == ("on target" if revenue >= target * 3 else "below target")
    assert row["Target per month"] == fmt.kzt(float(target))
    daily = kpis[kpis["Name"] == "daily_revenue_target"].iloc[0]
    assert daily["Value"] == fmt.kzt(revenue)  # the demo defines it as the revenue; its target is per day
    with app_env.owner.connect() as conn:
        per_day = conn.execute(
            text("SELECT \"targetValue\" FROM kpi_definitions WHERE \"organizationId\" = :org "
                 "AND name = 'daily_revenue_target'"), {"org": org}
        ).scalar_one()  # fmt: skip
    assert daily["Target for range"] == fmt.kzt(float(per_day) * 91)


# ---- the sidebar filters and the URL ------------------------------------------------------------------


def test_every_filter_change_takes_effect_and_reaches_the_url(app_env):
    """The reported sequence (YTD → 7d → 30d → MTD → 90d, Day → Month → Quarter → Week): each change is
    the one shown, in the filters the pages read and in the URL, never the one before."""
    at = signed_in(app_env, "owner", {"preset": "ytd", "grain": "day"})
    today = app_env.today
    expected_start = {"ytd": dt.date(today.year, 1, 1), "7d": today - dt.timedelta(days=6),
                      "30d": today - dt.timedelta(days=29), "mtd": today.replace(day=1),
                      "90d": today - dt.timedelta(days=89)}  # fmt: skip
    assert at.session_state["filters"].preset == "ytd" and at.query_params["preset"] == "ytd"
    for preset in ("7d", "30d", "mtd", "90d"):
        at.selectbox(key="filter_preset").set_value(preset).run()
        assert not at.exception
        f = at.session_state["filters"]
        assert (f.preset, f.start, f.end) == (preset, expected_start[preset], today), preset
        assert at.query_params["preset"] == preset
        assert any(c.value.startswith(f"{expected_start[preset]:%d.%m.%Y} – ") for c in at.sidebar.caption)
    for grain in ("month", "quarter", "week"):
        at.selectbox(key="filter_grain").set_value(grain).run()
        assert at.session_state["filters"].grain == grain and at.query_params["grain"] == grain
        assert at.session_state["filters"].preset == "90d"  # the other filter kept
    at.switch_page("app_pages/finance.py").run()  # a page switch keeps them
    assert (at.session_state["filters"].preset, at.session_state["filters"].grain) == ("90d", "week")
    # "Custom" starts from the range shown; a picked range is taken and written to the URL as from/to
    at.selectbox(key="filter_preset").set_value("custom").run()
    assert not at.exception and not at.error
    assert at.date_input(key="filter_range").value == (expected_start["90d"], today)
    at.date_input(key="filter_range").set_value((dt.date(2025, 10, 1), dt.date(2025, 10, 31))).run()
    f = at.session_state["filters"]
    assert (f.preset, f.start, f.end) == ("custom", dt.date(2025, 10, 1), dt.date(2025, 10, 31))
    assert (at.query_params["from"], at.query_params["to"]) == ("2025-10-01", "2025-10-31")
    at.selectbox(key="filter_preset").set_value("7d").run()
    assert at.session_state["filters"].start == expected_start["7d"] and "from" not in at.query_params


@pytest.mark.parametrize(
    ("query", "note"),
    [
        ({"preset": "custom", "from": "2025-11-01", "to": "2099-01-01"}, "ends after"),
        ({"preset": "custom", "from": "9999-12-01", "to": "9999-12-31"}, "starts after"),
        ({"preset": "custom", "from": "0001-01-01", "to": "2025-11-30"}, "starts before"),
        ({"preset": "custom", "from": "0001-01-01", "to": "0001-01-05"}, "not two dates"),
        ({"preset": "[click](https://evil.example/)![x](https://evil.example/x.png)"}, "not known"),
        ({"grain": "**bold** <script>alert(1)</script>"}, "not known"),
    ],
)
def test_a_bad_link_parameter_falls_back_with_a_plain_note(app_env, query, note):
    at = signed_in(app_env, "owner", query)
    assert not at.exception and not at.error
    notes = [w.value for w in at.warning]
    assert any(note in n for n in notes), notes
    for key, value in query.items():  # the link's own text is never shown, let alone as Markdown
        if key in ("preset", "grain") and value != "custom":
            assert value not in visible_text(at)
    assert "evil.example" not in visible_text(at) and "<script>" not in visible_text(at)
    f = at.session_state["filters"]
    assert dt.date(2000, 1, 1) <= f.start <= f.end <= app_env.today
    for page in ("overview", "finance", "sales"):
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception and not at.error, (page, [e.value for e in at.error])


def test_a_nul_byte_or_markdown_in_a_search_box_is_harmless(app_env):
    at = signed_in(app_env, "owner", {"preset": "90d"})
    at.switch_page("app_pages/sales.py").run()
    at.text_input[0].input("sup\x00ply").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("NUL character" in w.value for w in at.warning)
    at.switch_page("app_pages/audit.py").run()
    at.text_input(key="audit_entity").input("[x](https://evil.example)\x00").run()
    assert not at.exception and not at.error
    assert "evil.example" not in visible_text(at)


def test_an_unexpected_error_shows_one_plain_message_and_no_traceback(app_env, monkeypatch):
    from lib import queries

    def broken(*args, **kwargs):
        raise RuntimeError("/secret/path/to/module.py line 42")

    at = signed_in(app_env, "owner", {"preset": "30d"})
    monkeypatch.setattr(queries, "run_page", broken)
    queries.clear_caches()
    at.switch_page("app_pages/finance.py").run()
    assert not at.exception  # nothing reached Streamlit's exception box
    assert [e.value for e in at.error] == [
        "This page could not be shown. The error was logged on the server; try another date range or page."
    ]
    assert "/secret/path" not in visible_text(at)


# ---- page figures ----------------------------------------------------------------------------------


def test_the_finance_cards_add_up(app_env):
    at = signed_in(app_env, "owner", {"preset": "30d"})
    at.switch_page("app_pages/finance.py").run()
    org = organization_id(app_env, app_env.accounts["owner"][1])
    start, end = app_env.today - dt.timedelta(days=29), app_env.today
    received, made, expenses = (metric_total(app_env, org, n, start, end)
                                for n in ("payments_received", "payments_made", "expenses_amount"))  # fmt: skip
    assert received > 0 and made > 0 and expenses > 0
    cards = {m.label: m.value for m in at.metric}
    assert cards["Received"] == fmt.kzt(received)
    assert cards["Paid out"] == fmt.kzt(made)
    assert cards["Expenses"] == fmt.kzt(expenses)
    assert cards["Net cash flow"] == fmt.kzt(received - made - expenses)
    at.switch_page("app_pages/overview.py").run()  # the Overview's card is the same figure
    assert {m.label: m.value for m in at.metric}["Net cash flow"] == fmt.compact_kzt(received - made - expenses)


def test_inventory_never_adds_different_units(app_env):
    at = signed_in(app_env, "owner", {"preset": "90d"})
    at.switch_page("app_pages/inventory.py").run()
    assert not at.error
    org = organization_id(app_env, app_env.accounts["owner"][1])
    start, end = app_env.today - dt.timedelta(days=89), app_env.today
    with app_env.owner.connect() as conn:
        expected = conn.execute(
            text('SELECT m.type, p.unit, sum(abs(m.quantity)) FROM stock_movements m JOIN products p '
                 'ON p.id = m."productId" WHERE m."organizationId" = :org AND m."createdAt" >= :start '
                 'AND m."createdAt" < CAST(:end AS date) + 1 GROUP BY 1, 2'),
            {"org": org, "start": start, "end": end},
        ).all()  # fmt: skip
    assert len({unit for _, unit, _ in expected}) > 1  # the demo has several units
    by_unit = next(t for t in shown_tables(at) if list(t.columns) == ["Type", "Movements", "Quantity"])
    shown = set(zip(by_unit["Type"], by_unit["Quantity"], strict=True))
    assert shown == {(kind, fmt.quantity(total, unit)) for kind, unit, total in expected}
    cards = {m.label: m.value for m in at.metric}
    assert "Cost to refill to the minimum" in cards
    with app_env.owner.connect() as conn:
        below = conn.execute(
            text(
                'SELECT coalesce(sum(abs(d."valueImpact")), 0) FROM stock_discrepancies d '
                "WHERE d.\"organizationId\" = :org AND d.kind = 'below_min_stock' AND d.\"runId\" = ("
                'SELECT id FROM stock_reconciliation_runs WHERE "organizationId" = :org '
                "AND status = 'completed' ORDER BY \"runDate\" DESC, \"finishedAt\" DESC LIMIT 1)"
            ),
            {"org": org},
        ).scalar_one()  # fmt: skip
    assert cards["Cost to refill to the minimum"] == fmt.kzt(below)
    assert "-" not in cards["Cost to refill to the minimum"]  # a purchase to make, not shown as a loss


def test_the_overdue_card_counts_the_rows_of_the_overdue_table(app_env):
    org = organization_id(app_env, app_env.accounts["owner"][1])
    for preset, end in (("30d", app_env.today), ("custom", dt.date(2025, 10, 15))):
        query = {"preset": preset} if preset != "custom" else {"preset": "custom", "from": "2025-10-01",
                                                               "to": end.isoformat()}  # fmt: skip
        at = signed_in(app_env, "owner", query)
        at.switch_page("app_pages/operations.py").run()
        card = {m.label: m.value for m in at.metric}["Overdue (end of range)"]
        expected = metric_snapshot(app_env, org, "tasks_overdue", end)
        tables = [t for t in shown_tables(at) if "Due" in t.columns and "Assignee" in t.columns]
        rows = len(tables[0]) if tables else 0
        assert card == fmt.number(expected) == fmt.number(rows), (preset, card, rows)


def test_the_audit_page_hints_what_it_can_find_pages_and_names_people(app_env):
    at = signed_in(app_env, "owner", {"preset": "custom", "from": "2025-08-03", "to": "2025-11-30"})
    at.switch_page("app_pages/audit.py").run()
    assert not at.error
    org = organization_id(app_env, app_env.accounts["owner"][1])
    with app_env.owner.connect() as conn:
        entity, count = conn.execute(
            text('SELECT entity, count(*) FROM audit_logs WHERE "organizationId" = :org GROUP BY entity '
                 "ORDER BY count(*) DESC LIMIT 1"), {"org": org}
        ).one()  # fmt: skip
        named = conn.execute(
            text('SELECT concat_ws(\' \', u."firstName", u."lastName") FROM audit_logs a JOIN users u '
                 'ON u.id = a."userId" WHERE a."organizationId" = :org AND a.entity = :e '
                 'ORDER BY a."createdAt" DESC, a.id DESC LIMIT 1'), {"org": org, "e": entity}
        ).scalar()  # fmt: skip
    hint = next(t.value for t in at.text if t.value.startswith("Entities with rows"))
    assert entity in hint
    at.text_input(key="audit_entity").input(entity).run()
    assert count > 100  # more than a page
    assert any(c.value.startswith("Rows 1–100, newest first") and "more on the next page" in c.value
               for c in at.caption)  # fmt: skip
    first_page = next(t for t in shown_tables(at) if "User" in t.columns)
    assert list(first_page.columns)[:5] == ["When", "User", "Action", "Entity", "Entity ID"]
    assert len(first_page) == 100 and set(first_page["Entity"]) == {entity}
    if named:
        assert first_page["User"].iloc[0] == named
    next(b for b in at.button if b.label == "Older rows").click().run()
    assert any(c.value.startswith("Rows 101–") for c in at.caption)
    second_page = next(t for t in shown_tables(at) if "User" in t.columns)
    assert second_page["When"].iloc[0] <= first_page["When"].iloc[-1]  # older rows, no overlap in time order


# ---- a reload (F5) keeps the sign-in within the idle limit, never longer --------------------------------


def test_a_session_token_lives_only_while_it_is_used_within_the_idle_limit(monkeypatch):
    from lib.sessions import SessionRegistry, cookie_script

    monkeypatch.setenv("PROMETRIC_DASHBOARDS_IDLE_MINUTES", "30")
    registry = SessionRegistry()
    token = registry.issue("user-1", now=1000.0)
    assert len(token) >= 40 and token not in repr(registry.__dict__)  # only its hash is kept
    assert registry.resume(token, now=1000.0 + 29 * 60) == ("user-1", False)  # and refreshed
    assert registry.resume(token, now=1000.0 + 58 * 60) == ("user-1", False)  # 29 min after the last use
    assert registry.resume(token, now=1000.0 + 89 * 60) == (None, True)  # 31 min idle: expired
    assert registry.resume(token, now=1000.0 + 89 * 60) == (None, False)  # and forgotten
    other = registry.issue("user-2", now=5000.0)
    registry.revoke(other)  # sign-out
    assert registry.resume(other, now=5001.0) == (None, False)
    assert registry.resume("guessed-token", now=5001.0) == (None, False)
    assert registry.resume(None) == (None, False)
    script = cookie_script(token, secure=True)
    assert f"prometric_session={token}; Path=/; SameSite=Strict; Secure" in script
    assert "Max-Age=0" in cookie_script(None, secure=False)


def test_net_cash_flow_is_received_minus_paid_out_minus_expenses_on_every_date():
    from lib.queries import cash_flow_after_expenses

    series = pd.DataFrame(
        [
            {"date": dt.date(2025, 6, 2), "name": "payments_received", "value": 100.0},
            {"date": dt.date(2025, 6, 2), "name": "payments_made", "value": 30.0},
            {"date": dt.date(2025, 6, 2), "name": "expenses_amount", "value": 5.0},
            {"date": dt.date(2025, 6, 2), "name": "net_cash_flow", "value": 70.0},  # the payments-only metric
            {"date": dt.date(2025, 6, 9), "name": "expenses_amount", "value": 8.0},  # a week of expenses only
            {"date": dt.date(2025, 6, 9), "name": "orders_count", "value": 3.0},
        ]
    )
    result = cash_flow_after_expenses(series, ["date"])
    net = dict(zip(result.loc[result["name"] == "net_cash_flow", "date"],
                   result.loc[result["name"] == "net_cash_flow", "value"], strict=True))  # fmt: skip
    assert net == {dt.date(2025, 6, 2): 65.0, dt.date(2025, 6, 9): -8.0}
    assert result.loc[result["name"] == "orders_count", "value"].tolist() == [3.0]
