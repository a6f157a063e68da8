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
from tests.test_dashboards import EXPECTED_PAGES, metric_total, organization_id, signed_in

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
        frame = convert_arrow_bytes_to_pandas_df(styled) if styled else element.value.astype(str)
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
