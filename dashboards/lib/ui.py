"""Streamlit helpers the pages share: the page guard, tables with CSV download, empty states, cards."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from lib import format as fmt
from lib import queries
from lib.access import PAGES, Forbidden, Scope
from lib.filters import Filters

FILL_METRICS = "`prometric run metrics --from DATE --to DATE` (or `make demo`) fills the metrics table"


@dataclass(frozen=True)
class PageContext:
    scope: Scope
    filters: Filters
    organization_name: str


def page_context(page: str) -> PageContext:
    """The page's scope and filters; a page the role may not open (e.g. typed into the URL) shows a clear
    message and stops before any query."""
    st.title(PAGES[page])
    scope: Scope | None = st.session_state.get("scope")
    if scope is None:
        st.stop()
    if page not in scope.pages:
        st.error(f"{PAGES[page]} is not available for your role.", icon=":material/block:")
        st.stop()
    return PageContext(scope, st.session_state["filters"], st.session_state.get("organization_name", ""))


def forbidden(error: Forbidden) -> None:
    st.error(f"{error}.", icon=":material/block:")
    st.stop()


def load_page(page: str, **options: Any) -> tuple[PageContext, dict[str, Any]]:
    """The page's context and its data from the query layer; what the role may not see stops the page
    with the reason (the query layer checks before any SQL)."""
    ctx = page_context(page)
    try:
        return ctx, queries.page_data(ctx.scope, page, ctx.filters, **options)
    except Forbidden as error:
        forbidden(error)
        raise  # not reached: forbidden() stops the script run


def empty(message: str) -> None:
    st.info(message, icon=":material/info:")


def _size_header(column: str) -> str:
    """A byte column's header: `total_bytes` → "Total size", `size_bytes` → "Size"."""
    name = str(column).removesuffix("_bytes")
    return fmt.header(name if name.endswith("size") else f"{name}_size")


def table(
    frame: pd.DataFrame,
    name: str,
    *,
    money: tuple[str, ...] = (),
    sizes: tuple[str, ...] = (),
    units: Mapping[str, str] | None = None,
    formats: Mapping[str, Callable[[Any], str]] | None = None,
    empty_message: str = "",
    download: bool = True,
) -> None:
    """A table with a CSV download of exactly its rows. Every cell goes through lib/format.py: money as
    `1 234 567 ₸`, byte columns (`sizes`) as `8.4 MB` under a "… size" header, quantities with their unit
    (`units`: quantity column → the column holding its unit, e.g. `{"on_hand": "unit"}` → `12.5 кг`), any
    column by its `formats` function, the rest by `fmt.plain` (dates, numbers to two decimals, `—` for
    empty). Headers read as words, in the table and the CSV alike."""
    if frame.empty:
        empty(empty_message or "No rows for this selection.")
        return
    units = dict(units or {})
    data = frame.copy()
    for column, unit_column in units.items():  # the number and its unit in one cell (sorted as text)
        data[column] = [fmt.quantity(v, u) for v, u in zip(data[column], data[unit_column], strict=True)]
    data = data.drop(columns=[c for c in set(units.values()) if c in data.columns and c not in units])
    formatters: dict[str, Callable[[Any], str]] = {column: fmt.plain for column in data.columns}
    formatters |= {**dict.fromkeys(money, fmt.kzt), **dict.fromkeys(sizes, fmt.size), **(formats or {})}
    formatters = {column: f for column, f in formatters.items() if column in data.columns}
    # the browser draws an empty cell as a grey "None" whatever the Styler says: a column with gaps is
    # shown as its formatted text ("—"), the others stay numbers under a display format (they sort as numbers)
    for column in data.columns:
        if data[column].isna().any():
            data[column] = [formatters[column](value) for value in data[column]]
            formatters[column] = str
    # a Styler changes the display only, so number columns still sort as numbers
    shown = data.style.format(formatters, subset=list(formatters))
    # headers read as words ("Paid on"); the frame and the tests keep the SQL column names
    headers = {
        column: st.column_config.Column(_size_header(column) if column in sizes else fmt.header(column))
        for column in data.columns
    }
    st.dataframe(shown, hide_index=True, width="stretch", column_config=headers)
    if download:
        readable = frame.rename(columns=lambda c: _size_header(c) if c in sizes else fmt.header(c))
        st.download_button(
            "Download CSV",
            readable.to_csv(index=False).encode("utf-8"),
            file_name=f"{name}.csv",
            mime="text/csv",
            key=f"csv-{name}",
            icon=":material/download:",
        )


def card(column, title: str, value: float | None, previous: float | None, unit: str, *, target: str = "",
         series: list[float] | None = None) -> None:  # fmt: skip
    """A KPI card: value, change vs the previous period, target, sparkline."""
    shown = fmt.compact_kzt(value) if unit == "kzt" else fmt.percent(value) if unit == "percent" else fmt.number(value)
    column.metric(
        title,  # the target is in the tooltip and the line above the cards: a long label gets cut off
        shown,
        delta=fmt.change(value, previous),
        help=(f"{fmt.kzt(value)} · " if unit == "kzt" else "")
        + (
            f"previous period: {fmt.kzt(previous) if unit == 'kzt' else fmt.number(previous)}"
            if previous is not None
            else "no change shown: the metrics do not cover the whole previous period"
        )
        + (f" · target {target}" if target else ""),
        chart_data=series or None,
        chart_type="line",
        border=True,
    )
