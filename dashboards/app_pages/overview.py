"""Overview: KPI cards (value, change vs previous period, target, sparkline) and the KPI table."""

import streamlit as st
from lib import alert_view, charts, queries
from lib import format as fmt
from lib.ui import FILL_METRICS, card, empty, load_page, table

PER = {"daily": "day", "weekly": "week", "monthly": "month", "quarterly": "quarter", "yearly": "year"}


def by_unit(value: object, unit: object) -> str:
    """A KPI figure by the KPI's unit: whole tenge, percent, or a plain number."""
    return fmt.kzt(value) if unit == "KZT" else fmt.percent(value) if unit == "%" else fmt.plain(value)


ctx, data = load_page("overview")
f = ctx.filters
st.text(f"{ctx.organization_name} · {f.start:%d.%m.%Y} – {f.end:%d.%m.%Y}, compared with the {f.days} days before")
kpis = data["kpis"]
if all(c["value"] is None for c in data["cards"]):
    empty(f"No metrics in this date range. {FILL_METRICS}.")
else:
    series = data["series"]
    targets: dict[str, str] = {}
    for c in data["cards"]:
        if not kpis.empty:
            own = kpis[(kpis["name"] == c["name"]) & kpis["target"].notna()]
            if not own.empty:
                row = own.iloc[0]
                shown = fmt.compact_kzt(row["range_target"]) if c["unit"] == "kzt" else fmt.number(row["range_target"])
                per = PER.get(str(row["frequency"]).lower(), str(row["frequency"]))
                original = fmt.compact_kzt(row["target"]) if c["unit"] == "kzt" else fmt.number(row["target"])
                targets[c["name"]] = f"{shown} for this range ({original} per {per}), {row['status'] or 'no value'}"
    if targets:  # one line above the grid (inside a card's label it was cut off)
        titles = {c["name"]: c["title"] for c in data["cards"]}
        st.caption("Targets: " + " · ".join(f"{titles[name]} {target}" for name, target in targets.items()))
    alert_days = queries.alert_marks(ctx.scope, f)  # empty for a role without the Alerts page
    badges = alert_view.card_badges(alert_days)
    columns = st.columns(4)
    for index, c in enumerate(data["cards"]):
        points = series[series["name"] == c["name"]].sort_values("date")["value"].dropna().astype(float).tolist()
        title = f"{c['title']} · {badges[c['name']]}" if c["name"] in badges else c["title"]
        card(columns[index % 4], title, c["value"], c["previous"], c["unit"], target=targets.get(c["name"], ""),
             series=points)  # fmt: skip
    if badges:  # the alerted cards' trends with a rule on each alert day, and the way to the Alerts page
        st.subheader("Alert days")
        alerted = [c for c in data["cards"] if c["name"] in badges]
        for column, c in zip(st.columns(min(len(alerted), 4)) * 2, alerted, strict=False):
            days = alert_days[alert_days["subject"] == c["name"]]
            chart = charts.trend(series, {c["name"]: c["title"]}, kzt=c["unit"] == "kzt")
            column.altair_chart(charts.with_alert_days(chart, days), width="stretch")
            latest = days.sort_values(["day", "worst"], ascending=[False, True]).iloc[0]
            link = {**f.to_query(), "alert": latest["alert_id"]}
            column.page_link("app_pages/alerts.py", label=f"{c['title']}: the alert of {fmt.date(latest['day'])}",
                             icon=":material/manage_search:", query_params=link)  # fmt: skip
        st.page_link("app_pages/alerts.py", label="Open the alerts: explanations, acknowledge, the rows behind them",
                     icon=":material/notifications:")  # fmt: skip

st.subheader("KPIs")
if kpis.empty:
    empty("No KPI definitions for this organization (kpi_definitions).")
else:
    grain_column = f"target_per_{f.grain}"
    shown = kpis[["category", "name", "description", "frequency", "unit", "target", "range_target", "grain_target",
                  "value", "status"]].rename(columns={"range_target": "target_for_range",
                                                      "grain_target": grain_column})  # fmt: skip
    shown = shown.copy()
    for column in ("target", "target_for_range", grain_column, "value"):
        shown[column] = [by_unit(v, unit) for v, unit in zip(shown[column], shown["unit"], strict=True)]
    shown["frequency"] = [fmt.plain(PER.get(str(v).lower(), v)) for v in shown["frequency"]]
    shown = shown.rename(columns={"frequency": "target_per"})
    st.caption(
        "Value over the selected range (formulas evaluated on the range's totals). Targets of sums (revenue) "
        "scale with the range — each day counts 1/length of its month, quarter or year — and are shown per "
        f"{f.grain} too; targets of ratios (%) hold for any range. Status compares the value with the range's target."
    )
    table(shown, "kpis")
