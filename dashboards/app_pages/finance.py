"""Finance: invoiced vs received, AR aging, overdue invoices, expenses by category, cash flow."""

import streamlit as st
from lib import charts, queries
from lib import format as fmt
from lib.ui import FILL_METRICS, empty, load_page, table

BUCKETS = ["current", "1–30", "31–60", "61–90", "90+"]

ctx, data = load_page("finance")
totals = data["totals"]
# the cards add up: Net cash flow = Received − Paid out − Expenses (queries.cash_flow_after_expenses); the
# caption writes the sum out, so a reader can check it
figures = {
    name: queries.summarize(totals, name)
    for name in ("invoiced_amount", "payments_received", "payments_made", "expenses_amount", "net_cash_flow")
}
cards = [("invoiced_amount", "Invoiced"), ("payments_received", "Received"), ("payments_made", "Paid out"),
         ("expenses_amount", "Expenses"), ("net_cash_flow", "Net cash flow")]  # fmt: skip
columns = [*st.columns(3), *st.columns(3)[:2]]  # 3 + 2: whole amounts fit (five in a row are cut off)
for column, (name, title) in zip(columns, cards, strict=True):
    column.metric(title, fmt.kzt(figures[name]), border=True)
if all(figures[name] is not None for name in ("payments_received", "payments_made", "expenses_amount")):
    st.caption(
        f"Net cash flow = Received {fmt.kzt(figures['payments_received'])} − Paid out "
        f"{fmt.kzt(figures['payments_made'])} − Expenses {fmt.kzt(figures['expenses_amount'])} = "
        f"{fmt.kzt(figures['net_cash_flow'])}. Paid out: payments to suppliers; expenses: approved or paid, "
        "by expense date."
    )

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
        table(aging, "ar_aging", money=("outstanding",), formats={"invoices": fmt.number})
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
      formats={"issued": fmt.date, "due": fmt.date, "days_overdue": fmt.number},
      empty_message="No invoice is past due.")  # fmt: skip
