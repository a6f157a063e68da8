"""Inventory: stock value trend, low/out-of-stock lists, movements, latest reconciliation findings."""

import streamlit as st
from lib import charts
from lib import format as fmt
from lib.ui import FILL_METRICS, empty, load_page, table

# a reconciliation kind that is not a loss but a signal to reorder
REORDER_KINDS = ("below_min_stock",)
KIND_NAMES = {
    "ledger_vs_inventory": "ledger ≠ inventory",
    "inventory_vs_product": "inventory ≠ product stock",
    "negative_stock": "negative stock",
    "expired_stock": "expired stock",
    "invalid_movement": "invalid movement",
    "cross_tenant_reference": "reference to another organization",
    "below_min_stock": "below minimum (reorder)",
}

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
        # "below minimum" is a reorder signal (its "impact" is the shortfall at cost: what refilling costs),
        # not a loss: the card sums only the findings that change the books
        reorder = kinds["kind"].isin(REORDER_KINDS)
        book = kinds.loc[~reorder, "value_impact"].sum()
        refill = kinds.loc[reorder, "value_impact"].abs().sum()
        impact, restock = st.columns(2)
        impact.metric("Book value impact of discrepancies", fmt.kzt(book), border=True,
                      help="Sum over the findings that change stock value (mismatches, negative or expired "
                      "stock…); below-minimum products are a reorder signal and not counted here.")  # fmt: skip
        restock.metric("Cost to refill to the minimum", fmt.kzt(refill), border=True,
                       help="Products below their minimum stock: the shortfall at cost. A purchase to make, "
                       "not a loss.")  # fmt: skip
        shown = kinds[["kind", "findings"]].copy()
        shown["value_impact"] = kinds["value_impact"].where(~reorder)  # "—" for a reorder signal
        shown["cost_to_refill"] = kinds["value_impact"].abs().where(reorder)
        shown["kind"] = [KIND_NAMES.get(k, k) for k in kinds["kind"]]
        table(shown, "reconciliation_findings", money=("value_impact", "cost_to_refill"),
              formats={"findings": fmt.number})  # fmt: skip

left, right = st.columns(2)
with left:
    st.subheader("Low and out-of-stock products now")
    table(data["levels"], "stock_levels", money=("value_at_cost",), units={"on_hand": "unit", "min_stock": "unit"},
          empty_message="Every product is above its minimum.")  # fmt: skip
with right:
    st.subheader("Movements in the range")
    movements = data["movements"]
    if movements.empty:
        empty("No stock movements in this range.")
    else:
        by_type = movements.groupby("type", as_index=False)[["movements"]].sum()
        st.altair_chart(charts.bars(by_type, "type", "movements", kzt=False), width="stretch")
        # quantities per unit: шт, кг and м3 are never added together
        per_unit = movements.groupby(["type", "unit"], as_index=False)[["movements", "quantity"]].sum()
        table(per_unit, "stock_movements_by_unit", units={"quantity": "unit"}, formats={"movements": fmt.number})
        table(movements, "stock_movements", units={"quantity": "unit"},
              formats={"day": fmt.date, "movements": fmt.number})  # fmt: skip
