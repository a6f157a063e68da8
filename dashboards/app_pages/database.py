"""Database (owner only): the latest hourly health snapshot — size, connections, largest tables, index
usage, tables with dead tuples, long-running queries (never their text) — and the newest backups.

Database-wide facts, no tenant's rows: the query layer reads them through the jobs login
(`queries.database_data`), after the same permission check as every page."""

import streamlit as st
from lib import format as fmt
from lib.ui import empty, load_page, table


def ratio(value: float | None) -> str:
    return fmt.percent(None if value is None else float(value) * 100)


def seconds(value: float | None) -> str:
    return fmt.number(value, 1)


ctx, data = load_page("database")
snapshot = data["snapshot"]
if snapshot is None:
    empty("No health snapshot yet: run `prometric db health`.")
else:
    st.caption(f"Snapshot taken {fmt.timestamp(snapshot['taken_at'])} UTC (hourly by the database_health job)")
    size, connections, long_running, unused = st.columns(4)
    size.metric(
        "Database size",
        fmt.size(snapshot["database_bytes"]),
        help=f"{snapshot['database_name']} on PostgreSQL {snapshot['server_version']}",
        border=True,
    )
    connections.metric(
        "Connections used / max",
        f"{fmt.number(snapshot['server_connections'])} / {fmt.number(snapshot['max_connections'])}",
        help=f"Client connections to the server against its max_connections; to this database "
        f"{snapshot['connections']}: {snapshot['active_connections']} active, {snapshot['idle_connections']} "
        f"idle, {snapshot['idle_in_transaction_connections']} idle in a transaction",
        border=True,
    )
    long_running.metric(
        "Long-running queries",
        fmt.number(snapshot["long_running_queries"]),
        help=f"Running (or idle in a transaction) longer than {snapshot['long_running_seconds']} s",
        border=True,
    )
    count = data["unused_indexes"]
    unused.metric(
        "Unused indexes",
        f"{fmt.number(count)} · {fmt.size(data['unused_index_bytes'])}" if count else "0",
        help="Never scanned since the statistics were last reset and enforcing no constraint (unique, primary "
        "key, exclusion): candidates to drop. The figure after the count is their total size.",
        border=True,
    )

    st.subheader("Largest tables")
    table(
        data["tables"],
        "largest_tables",
        sizes=("total_bytes",),
        formats={"live_tuples": fmt.number, "dead_tuples": fmt.number, "dead_ratio": ratio,
                 "last_vacuumed": fmt.timestamp, "last_analyzed": fmt.timestamp},
    )  # fmt: skip

    st.subheader("Index usage")
    table(
        data["indexes"],
        "index_usage",
        sizes=("index_bytes",),
        formats={"index_scans": fmt.number, "tuples_read": fmt.number, "tuples_fetched": fmt.number,
                 "unused": lambda value: "yes" if value else "no"},
        empty_message="No index statistics in this snapshot.",
    )  # fmt: skip

    threshold = fmt.percent(data["dead_ratio_threshold"] * 100, 0)
    left, right = st.columns(2)
    with left:
        st.subheader("Tables with dead tuples")
        st.caption(f"Dead tuples at least {threshold} of the table's rows: the weekly VACUUM job's candidates.")
        table(
            data["dead_tables"],
            "dead_tuples",
            formats={"dead_tuples": fmt.number, "live_tuples": fmt.number, "dead_ratio": ratio,
                     "last_vacuumed": fmt.timestamp},
            empty_message=f"No table has {threshold} or more dead tuples.",
        )  # fmt: skip
    with right:
        st.subheader("Long-running queries")
        st.caption("Who and how long, never the query text: it can hold any organization's values.")
        table(
            data["queries"],
            "long_running_queries",
            formats={"pid": str, "query_start": fmt.timestamp, "duration_seconds": seconds},
            empty_message=f"No query ran longer than {snapshot['long_running_seconds']} s when the snapshot was taken.",
        )

st.subheader("Backups")
if data["backup_error"]:
    st.warning("The backups could not be listed:", icon=":material/warning:")
    st.text(data["backup_error"])  # a path and an OS message: plain text, never Markdown
elif data["backups"].empty:
    empty("No backup yet: run `prometric db backup`.")
else:
    st.caption(f"The newest {len(data['backups'])} of {data['backup_count']} (times in UTC), in:")
    st.text(data["backup_directory"])
    table(
        data["backups"],
        "backups",
        sizes=("size_bytes",),
        formats={"taken_at": fmt.timestamp, "duration_seconds": seconds},
    )
