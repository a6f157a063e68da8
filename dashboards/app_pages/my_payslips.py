"""My payslips: the signed-in employee's payroll rows and each payslip's breakdown."""

import streamlit as st
from lib import queries
from lib.access import Forbidden
from lib.ui import empty, forbidden, page_context, table

MONEY = ("gross", "withholdings", "ipn", "net", "employer_cost")

ctx = page_context("my_payslips")
try:
    data = queries.page_data(ctx.scope, "my_payslips", ctx.filters)
except Forbidden as error:
    forbidden(error)
payslips = data["payslips"]
if payslips.empty:
    empty("No payslips yet: payroll is computed monthly (`prometric run payroll --month YYYY-MM`).")
else:
    table(payslips.drop(columns=["employer_cost"]), "my_payslips", money=MONEY[:4])
    chosen = st.selectbox("Payslip", payslips["payroll_number"].tolist())
    table(queries.payslip(ctx.scope, chosen), "payslip_items", money=("base", "amount"))
