"""Overview: KPI cards (value, change vs previous period, target, sparkline) and the KPI table."""

import streamlit as st
from lib import format as fmt
from lib.ui import FILL_METRICS, card, empty, load_page, table

ctx, data = load_page("overview")
f = ctx.filters
st.caption(f"{ctx.organization_name} · {f.start:%d.%m.%Y} – {f.end:%d.%m.%Y}, compared with the {f.days} days before")
if all(c["value"] is None for c in data["cards"]):
    empty(f"No metrics in this date range. {FILL_METRICS}.")
else:
    kpis = data["kpis"]
    series = data["series"]
    targets: dict[str, str] = {}
    for c in data["cards"]:
        if not kpis.empty:
            own = kpis[(kpis["name"] == c["name"]) & kpis["target"].notna()]
            if not own.empty:
                row = own.iloc[0]
                shown = fmt.compact_kzt(row["target"]) if c["unit"] == "kzt" else fmt.number(row["target"])
                per = {"daily": "day", "weekly": "week", "monthly": "month", "quarterly": "quarter", "yearly": "year"}
                targets[c["name"]] = f"{shown} per {per.get(str(row['frequency']).lower(), row['frequency'])}"
    if targets:  # one line above the grid (inside a card's label it was cut off)
        titles = {c["name"]: c["title"] for c in data["cards"]}
        st.caption("Targets: " + " · ".join(f"{titles[name]} {target}" for name, target in targets.items()))
    columns = st.columns(4)
    for index, c in enumerate(data["cards"]):
        points = series[series["name"] == c["name"]].sort_values("date")["value"].dropna().astype(float).tolist()
        card(columns[index % 4], c["title"], c["value"], c["previous"], c["unit"], target=targets.get(c["name"], ""),
             series=points)  # fmt: skip

st.subheader("KPIs")
kpis = data["kpis"]
if kpis.empty:
    empty("No KPI definitions for this organization (kpi_definitions).")
else:
    shown = kpis[["category", "name", "description", "frequency", "unit", "target", "value"]].copy()
    for column in ("target", "value"):  # by the KPI's unit: whole tenge, percent, or a plain number
        shown[column] = [
            fmt.kzt(v) if unit == "KZT" else fmt.percent(v) if unit == "%" else fmt.number(v, 2)
            for v, unit in zip(shown[column], shown["unit"], strict=True)
        ]
    st.caption("Value over the selected range (formulas evaluated on the range's totals).")
    table(shown, "kpis")
