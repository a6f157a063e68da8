"""Placeholder page until the analysts' pages land: is the database there, and what is in it."""

import datetime as dt

import streamlit as st
from lib.queries import engine, table_overview
from sqlalchemy.exc import DBAPIError

from prometric_pipelines.config import display_url
from prometric_pipelines.db.engine import describe_connection_error
from prometric_pipelines.errors import PrometricError

st.title("Operational database")

try:
    revision, tables = table_overview()
except DBAPIError as error:
    st.error(describe_connection_error(error, engine().url))
    st.stop()
except PrometricError as error:
    st.error(str(error))
    st.stop()

st.caption(
    f"{display_url(engine().url)} · schema revision {revision or '(not migrated)'} · "
    f"data as of {dt.datetime.now():%Y-%m-%d %H:%M:%S}"
)
left, right = st.columns(2)
left.metric("Tables", len(tables))
right.metric("Rows", f"{int(tables['rows'].sum()):,}".replace(",", " "))
st.dataframe(tables, hide_index=True, width="stretch")
