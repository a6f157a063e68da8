"""My payslips: the signed-in employee's payroll rows and each payslip's breakdown."""

import streamlit as st
from lib import format as fmt
from lib import queries
from lib.ui import empty, load_page, table

MONEY = ("gross", "withholdings", "ipn", "net", "employer_cost")

ctx, data = load_page("my_payslips")
payslips = data["payslips"]
if payslips.empty:
    empty("No payslips yet: payroll is computed monthly (`prometric run payroll --month YYYY-MM`).")
else:
    table(payslips.drop(columns=["employer_cost"]), "my_payslips", money=MONEY[:4],
          formats={"year": str, "month": str, "paid_on": fmt.date})  # fmt: skip
    chosen = st.selectbox("Payslip", payslips["payroll_number"].tolist())
    table(queries.payslip(ctx.scope, chosen), "payslip_items", money=("base", "amount"), formats={"rate": fmt.rate})
