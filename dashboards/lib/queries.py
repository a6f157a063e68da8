"""Every database read of the dashboards: cached, parameterised, on one shared engine per database."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from prometric_pipelines.db.engine import create_db_engine, database_url
from prometric_pipelines.db.migrate import current_revision
from prometric_pipelines.db.schema import TABLE_MODULES
from prometric_pipelines.db.stats import table_row_counts

CACHE_SECONDS = 60


def _current_url() -> str:
    # resolved on every run and used as the cache key, so a changed DATABASE_URL is never
    # answered from another database's cache
    return database_url().render_as_string(hide_password=False)


@st.cache_resource(max_entries=4)
def _engine(url: str) -> Engine:
    return create_db_engine(url)


def engine() -> Engine:
    return _engine(_current_url())


@st.cache_data(ttl=CACHE_SECONDS, max_entries=4, show_spinner=False)
def _table_overview(url: str) -> tuple[str | None, pd.DataFrame]:
    with _engine(url).connect() as connection:
        revision = current_revision(connection)
        counts = table_row_counts(connection)
    rows = [
        {"module": module, "table": table, "rows": counts[table]}
        for module, tables in TABLE_MODULES.items()
        for table in tables
    ]
    return revision, pd.DataFrame(rows, columns=["module", "table", "rows"])


def table_overview() -> tuple[str | None, pd.DataFrame]:
    """The schema revision and one row per ERP table: module, table, exact row count."""
    return _table_overview(_current_url())
