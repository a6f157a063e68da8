"""Operations: production orders by status, tasks created/completed/overdue."""

import streamlit as st
from lib import charts, queries
from lib import format as fmt
from lib.ui import FILL_METRICS, empty, load_page, table

ctx, data = load_page("operations")
totals = data["totals"]
columns = st.columns(4)
for column, (name, title) in zip(
    columns,
    [("tasks_created", "Tasks created"), ("tasks_completed", "Tasks completed"),
     ("tasks_overdue", "Overdue (end of range)"), ("production_orders_completed", "Production orders completed")],
    strict=True,
):  # fmt: skip
    column.metric(title, fmt.number(queries.summarize(totals, name)), border=True)

left, right = st.columns(2)
with left:
    st.subheader("Tasks")
    series = data["series"]
    if series.empty:
        empty(f"No task metrics in this range. {FILL_METRICS}.")
    else:
        names = {"tasks_created": "Created", "tasks_completed": "Completed", "tasks_overdue": "Overdue"}
        st.altair_chart(charts.trend(series, names, kzt=False), width="stretch")
with right:
    st.subheader("Production orders started in the range, by status")
    production = data["production"]
    if production.empty:
        empty("No production orders in this range.")
    else:
        st.altair_chart(charts.bars(production, "status", "orders", kzt=False), width="stretch")
        table(production, "production_by_status", formats={"orders": fmt.number})

st.subheader("Open tasks past due")
st.caption(f"Overdue at the range's end ({ctx.filters.end:%d.%m.%Y}): the tasks the Overdue card counts.")
table(data["overdue_tasks"], "overdue_tasks", formats={"due": fmt.timestamp, "completed": fmt.timestamp},
      empty_message="No task was overdue at the range's end.")  # fmt: skip
