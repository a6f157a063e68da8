"""Finance: invoiced vs received, AR aging, overdue invoices, expenses by category, cash flow."""

import streamlit as st
from lib import charts, queries
from lib import format as fmt
from lib.ui import FILL_METRICS, empty, load_page, table

BUCKETS = ["current", "1–30", "31–60", "61–90", "90+"]

ctx, data = load_page("finance")
totals = data["totals"]
columns = st.columns(4)
for column, (name, title) in zip(
    columns,
    [("invoiced_amount", "Invoiced"), ("payments_received", "Received"), ("expenses_amount", "Expenses"),
     ("net_cash_flow", "Net cash flow")],
    strict=True,
):  # fmt: skip
    column.metric(title, fmt.kzt(queries.summarize(totals, name)), border=True)

series = data["series"]
left, right = st.columns(2)
with left:
    st.subheader("Invoiced vs received")
    if series.empty:
        empty(f"No finance metrics in this range. {FILL_METRICS}.")
    else:
        names = {"invoiced_amount": "Invoiced", "payments_received": "Received"}
        st.altair_chart(charts.trend(series, names), width="stretch")  # lines: two series side by side
with right:
    st.subheader("Cash flow")
    if not series.empty:
        names = {"net_cash_flow": "Net cash flow", "payments_made": "Paid out", "expenses_amount": "Expenses"}
        st.altair_chart(charts.trend(series, names), width="stretch")

left, right = st.columns(2)
with left:
    st.subheader(f"Receivables aging on {ctx.filters.end:%d.%m.%Y}")
    aging = data["aging"]
    if aging.empty:
        empty("No open sales invoices.")
    else:
        st.altair_chart(charts.ordered_bars(aging, "bucket", "outstanding", BUCKETS), width="stretch")
        table(aging, "ar_aging", money=("outstanding",))
with right:
    st.subheader("Expenses by category")
    expenses = data["expenses"]
    if expenses.empty:
        empty("No expenses in this range.")
    else:
        st.altair_chart(charts.bars(expenses, "category", "amount"), width="stretch")
        table(expenses, "expenses_by_category", money=("amount",))

st.subheader("Overdue invoices")
table(data["overdue"], "overdue_invoices", money=("total", "paid", "outstanding"),
      empty_message="No invoice is past due.")  # fmt: skip
