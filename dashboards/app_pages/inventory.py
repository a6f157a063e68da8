"""Inventory: stock value trend, low/out-of-stock lists, movements, latest reconciliation findings."""

import streamlit as st
from lib import charts
from lib import format as fmt
from lib.ui import FILL_METRICS, empty, load_page, table

ctx, data = load_page("inventory")

series = data["series"]
left, right = st.columns(2)
with left:
    st.subheader("Stock value")
    if series.empty:
        empty(f"No inventory metrics in this range. {FILL_METRICS}.")
    else:
        st.altair_chart(charts.trend(series, {"inventory_value": "Inventory value"}), width="stretch")
with right:
    st.subheader("Products low / out of stock")
    if not series.empty:
        names = {"low_stock_products": "Low stock", "out_of_stock_products": "Out of stock"}
        st.altair_chart(charts.trend(series, names, kzt=False), width="stretch")

st.subheader("Latest stock reconciliation")
findings = data["findings"]
if findings.empty:
    empty("No reconciliation has run yet: `prometric run reconcile-stock --date DATE` fills it.")
else:
    run = findings.iloc[0]
    st.caption(f"Run of {run['run_date']:%d.%m.%Y} · {'applied' if run['applied'] else 'report only'}")
    kinds = findings.dropna(subset=["kind"])
    if kinds.empty:
        st.success("No discrepancies found.")
    else:
        total = kinds["value_impact"].sum()
        st.metric("Value impact of all findings", fmt.kzt(total), border=True)
        table(kinds[["kind", "findings", "value_impact"]], "reconciliation_findings", money=("value_impact",))

left, right = st.columns(2)
with left:
    st.subheader("Low and out-of-stock products now")
    table(data["levels"], "stock_levels", money=("value_at_cost",), empty_message="Every product is above its minimum.")
with right:
    st.subheader("Movements in the range")
    movements = data["movements"]
    if movements.empty:
        empty("No stock movements in this range.")
    else:
        by_type = movements.groupby("type", as_index=False)[["movements", "quantity"]].sum()
        st.altair_chart(charts.bars(by_type, "type", "movements", kzt=False), width="stretch")
        table(movements, "stock_movements")
