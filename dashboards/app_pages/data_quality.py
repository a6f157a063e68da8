"""Data quality: the ERP rows each job left out in the range, by job, source table and reason."""

import streamlit as st
from lib import format as fmt
from lib.ui import load_page, table

ctx, data = load_page("data_quality")
findings = data["findings"]
st.caption(
    "Rows the jobs did not count, and why (docs/data-quality.md): malformed ERP rows, amounts without an "
    "exchange rate, values too large for their column. The whole organization, whatever the workspace filter."
)
columns = st.columns(3)
for column, job in zip(columns, ("metrics", "payroll", "stock reconciliation"), strict=True):
    rows = int(findings.loc[findings["job"].str.startswith(job), "rows"].sum()) if not findings.empty else 0
    column.metric(f"Left out by {job}", fmt.number(rows), border=True)
table(findings, "data_quality", empty_message="No row was left out in this range.")
