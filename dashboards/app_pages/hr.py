"""HR & Payroll: headcount by department, attendance rate, leaves, payroll register, employee drill-down."""

import streamlit as st
from lib import charts, queries
from lib import format as fmt
from lib.access import Forbidden
from lib.ui import FILL_METRICS, empty, forbidden, page_context, table

MONEY = ("gross", "withholdings", "ipn", "net", "employer_cost")
PAYROLL_FORMATS = {"year": str, "month": str, "paid_on": fmt.date}

ctx = page_context("hr")
try:
    overview = queries.page_data(ctx.scope, "hr", ctx.filters)
    months = overview["months"]
    labels = [f"{int(r.year)}-{int(r.month):02d}" for r in months.itertuples()] if not months.empty else []
    picked = st.selectbox("Payroll month", labels) if labels else None
    month = (int(picked[:4]), int(picked[5:])) if picked else None
    data = overview if month == overview["month"] else queries.page_data(ctx.scope, "hr", ctx.filters, month=month)
except Forbidden as error:
    forbidden(error)

totals = data["totals"]
columns = st.columns(3)
columns[0].metric("Headcount (end of range)", fmt.number(queries.summarize(totals, "headcount")), border=True)
columns[1].metric("Attendance rate", fmt.percent(queries.summarize(totals, "attendance_rate")), border=True)
columns[2].metric("Overtime hours", fmt.number(queries.summarize(totals, "overtime_hours")), border=True)

left, right = st.columns(2)
with left:
    st.subheader("Headcount by department")
    departments = data["departments"]
    if departments.empty:
        empty("No active employees.")
    else:
        st.altair_chart(charts.bars(departments, "department", "employees", kzt=False), width="stretch")
with right:
    st.subheader("Attendance rate")
    series = data["series"]
    if series.empty:
        empty(f"No HR metrics in this range. {FILL_METRICS}.")
    else:
        st.altair_chart(charts.trend(series, {"attendance_rate": "Attendance, %"}, kzt=False), width="stretch")

st.subheader(f"Payroll register {picked}" if picked else "Payroll register")
register = data["register"]
if register.empty:
    empty("No payroll computed yet: `prometric run payroll --month YYYY-MM` fills it.")
else:
    sums = st.columns(3)  # five cards in a row cut even the compact amounts off: 3 + 2
    titles = {
        "gross": "Gross",
        "withholdings": "ОПВ + ВОСМС",
        "ipn": "ИПН",
        "net": "Net",
        "employer_cost": "Employer cost",
    }
    for index, (name, title) in enumerate(titles.items()):
        total = register[name].sum()
        sums[index % 3].metric(title, fmt.compact_kzt(total), help=fmt.kzt(total), border=True)
    table(register, "payroll_register", money=MONEY, formats=PAYROLL_FORMATS)

st.subheader("Leaves in the range")
table(
    data["leaves"],
    "leaves",
    formats={"start": fmt.date, "end": fmt.date},
    empty_message="No leaves overlap this range.",
)

st.subheader("Employee")
employees = data["employees"]
if not employees.empty:
    names = dict(zip(employees["id"].astype(str), employees["code"] + " · " + employees["name"], strict=True))
    chosen = st.selectbox(
        "Employee details", [None, *names], format_func=lambda e: "Choose an employee…" if e is None else names[e]
    )
    if chosen:
        detail = queries.employee(ctx.scope, ctx.filters, chosen)
        attendance, leaves = st.columns(2)
        with attendance:
            st.subheader("Attendance in the range", divider=False)
            table(detail["attendance"], "employee_attendance")
        with leaves:
            st.subheader("Leaves in the range", divider=False)
            table(detail["leaves"], "employee_leaves", formats={"start": fmt.date, "end": fmt.date})
        st.subheader("Payslips", divider=False)
        table(detail["payslips"], "employee_payslips", money=MONEY, formats=PAYROLL_FORMATS)
