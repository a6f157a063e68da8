"""Sales & CRM: revenue/orders trend, top customers, pipeline funnel, win rate, deals with drill-down."""

import streamlit as st
from lib import charts, queries
from lib import format as fmt
from lib.access import Forbidden
from lib.ui import FILL_METRICS, empty, forbidden, page_context, table

STAGES = ["NEW", "QUALIFIED", "PROPOSAL", "NEGOTIATION"]

ctx = page_context("sales")
search = st.text_input("Search deals (title or customer)", max_chars=100, placeholder="e.g. supply")
if "\x00" in search:  # PostgreSQL text cannot hold it; a plain note, never the input echoed back
    st.warning("The search contained a NUL character; it was removed.", icon=":material/warning:")
    search = search.replace("\x00", "")
try:
    data = queries.page_data(ctx.scope, "sales", ctx.filters, search=search)
except Forbidden as error:
    forbidden(error)

totals = data["totals"]
left, middle, right, last = st.columns(4)
left.metric("Revenue", fmt.kzt(queries.summarize(totals, "orders_revenue")), border=True)
middle.metric("Orders", fmt.number(queries.summarize(totals, "orders_count")), border=True)
right.metric("Win rate", fmt.percent(queries.summarize(totals, "win_rate")), border=True)
last.metric("Deals won", fmt.number(queries.summarize(totals, "deals_won")), border=True)

series = data["series"]
st.subheader("Revenue and orders")
if series.empty:
    empty(f"No sales metrics in this range. {FILL_METRICS}.")
else:
    chart_left, chart_right = st.columns(2)
    chart_left.altair_chart(charts.trend(series, {"orders_revenue": "Revenue"}, kind="bar"), width="stretch")
    chart_right.altair_chart(charts.trend(series, {"orders_count": "Orders"}, kzt=False), width="stretch")

left, right = st.columns(2)
with left:
    st.subheader("Top customers")
    top = data["top_customers"]
    if top.empty:
        empty("No sales orders in this range.")
    else:
        st.altair_chart(charts.bars(top.head(10), "customer", "revenue"), width="stretch")
        table(top, "top_customers", money=("revenue",), formats={"orders": fmt.number})
with right:
    st.subheader("Pipeline by stage (open deals now)")
    funnel = data["funnel"]
    if funnel.empty:
        empty("No open deals.")
    else:
        st.altair_chart(charts.ordered_bars(funnel, "stage", "value", STAGES), width="stretch")
        table(funnel, "pipeline", money=("value", "weighted_value"), formats={"deals": fmt.number})

st.subheader("Deals created in the range")
deals = data["deals"]
table(deals.drop(columns=["id"]), "deals", money=("value",), formats={"probability": fmt.percent_whole},
      empty_message="No deals match this range and search.")  # fmt: skip
if not deals.empty:
    labels = dict(zip(deals["id"].astype(str), deals["title"] + " — " + deals["customer"], strict=True))
    chosen = st.selectbox(
        "Deal details", [None, *labels], format_func=lambda d: "Choose a deal…" if d is None else labels[d]
    )
    if chosen:
        detail = queries.deal(ctx.scope, chosen)
        products, activities = st.columns(2)
        with products:
            st.subheader("Products", divider=False)
            table(detail["products"], "deal_products", money=("unit_price", "total"), units={"quantity": "unit"},
                  formats={"discount": fmt.percent_whole, "tax": fmt.percent_whole})  # fmt: skip
        with activities:
            st.subheader("Activities", divider=False)
            table(
                detail["activities"],
                "deal_activities",
                formats={"scheduled": fmt.timestamp, "completed": fmt.timestamp, "created": fmt.timestamp},
            )
