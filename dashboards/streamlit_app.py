"""Prometric dashboards: the entry point (`prometric dashboards`, `make demo`)."""

import streamlit as st

st.set_page_config(page_title="Prometric", page_icon=":material/monitoring:", layout="wide")

pages = [
    st.Page("app_pages/database.py", title="Database", icon=":material/database:", default=True),
]
st.navigation(pages).run()
