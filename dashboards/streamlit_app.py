"""Prometric dashboards: the entry point (`prometric dashboards`, `make demo`).

Sign-in gate with idle expiry → organization/workspace pickers limited to the viewer's memberships →
the shared filters mirrored in the URL → `st.navigation` listing only the pages the role may open
(the others are registered hidden, so a typed URL lands on a "not available for your role" message).
"""

from __future__ import annotations

import datetime as dt
import os
import time

import streamlit as st
from lib import queries
from lib.access import PAGES, Forbidden, home_organization, scope_for
from lib.auth import expired, load_viewer, sign_in
from lib.filters import GRAINS, PRESETS, Filters, from_query, preset_range
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from prometric_pipelines.db.engine import describe_connection_error
from prometric_pipelines.errors import PrometricError

st.set_page_config(page_title="Prometric", page_icon=":material/monitoring:", layout="wide")

ICONS = {
    "overview": ":material/dashboard:",
    "sales": ":material/handshake:",
    "finance": ":material/account_balance:",
    "inventory": ":material/inventory_2:",
    "hr": ":material/badge:",
    "operations": ":material/precision_manufacturing:",
    "audit": ":material/policy:",
    "data_quality": ":material/rule:",
    "database": ":material/database:",
    "my_tasks": ":material/task_alt:",
    "my_payslips": ":material/receipt_long:",
}


def unreachable(error: Exception, engine: Engine) -> str:
    """One line naming the database (password masked) and psycopg's reason, as the CLI says it."""
    if isinstance(error, DBAPIError):
        return describe_connection_error(error, engine.url)
    return str(error).splitlines()[0]


def login_page() -> None:
    st.title("Prometric")
    if st.session_state.pop("expired_notice", False):
        st.warning("Your session expired after a period of inactivity. Please sign in again.")
    with st.form("login", border=True, width=420):
        email = st.text_input("E-mail", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        return
    try:
        result, message = sign_in(queries.reader_engine(), email, password)
        viewer = load_viewer(queries.reader_engine(), str(result.user_id)) if result.ok else None
    except (DBAPIError, PrometricError) as error:
        st.error(f"The database is not reachable: {unreachable(error, queries.reader_engine())}")
        return
    if not result.ok:
        st.error(message)
        return
    if viewer is None or not viewer.organizations:
        st.error("This account belongs to no organization.")
        return
    st.session_state["viewer"] = viewer
    st.session_state["last_seen"] = time.monotonic()
    st.rerun()


def sign_out() -> None:
    for key in ("viewer", "scope", "filters", "last_seen"):
        st.session_state.pop(key, None)


viewer = st.session_state.get("viewer")
if viewer is not None and expired(st.session_state.get("last_seen")):
    sign_out()
    st.session_state["expired_notice"] = True
    viewer = None
if viewer is None:
    st.navigation([st.Page(login_page, title="Sign in", icon=":material/login:")], position="hidden").run()
    st.stop()
st.session_state["last_seen"] = time.monotonic()

# ---- filters: URL → widgets → URL ----------------------------------------------------------------------
params = {key: st.query_params.get(key) for key in ("org", "ws", "preset", "from", "to", "grain")}
# ranges end yesterday (the nightly metrics run's last day); PROMETRIC_DASHBOARDS_TODAY pins it (tests, replays)
pinned = os.environ.get("PROMETRIC_DASHBOARDS_TODAY", "").strip()
today = dt.date.fromisoformat(pinned) if pinned else dt.date.today() - dt.timedelta(days=1)
wanted = from_query(params, today)
organizations = {o.id: o for o in viewer.organizations}
notes = list(wanted.notes)
if wanted.organization_id and wanted.organization_id not in organizations:
    notes.append("The organization in the link is not one of yours; it was ignored.")
organization = organizations.get(wanted.organization_id or "") or home_organization(viewer)

sidebar = st.sidebar
org_ids = list(organizations)
organization = organizations[
    sidebar.selectbox(
        "Organization", org_ids, index=org_ids.index(organization.id), format_func=lambda i: organizations[i].name
    )
]
sidebar.caption(f"Signed in as **{viewer.name}** ({organization.role} here)")
workspace_choices = [None, *(w.id for w in organization.workspaces)]
workspace_names = {w.id: w.name for w in organization.workspaces}
if wanted.workspace_id and wanted.workspace_id not in workspace_names:
    notes.append("The workspace in the link is not one of yours in this organization; showing all of yours.")
workspace_id = sidebar.selectbox(
    "Workspace",
    workspace_choices,
    index=workspace_choices.index(wanted.workspace_id) if wanted.workspace_id in workspace_names else 0,
    format_func=lambda w: "All workspaces" if w is None else workspace_names[w],
)
preset_keys = list(PRESETS)
preset = sidebar.selectbox(
    "Date range", preset_keys, index=preset_keys.index(wanted.preset), format_func=PRESETS.__getitem__
)
if preset == "custom":
    picked = sidebar.date_input("From – to", value=(wanted.start, wanted.end), max_value=today, format="YYYY-MM-DD")
    start, end = (picked[0], picked[-1]) if isinstance(picked, tuple) and picked else (wanted.start, wanted.end)
else:
    start, end = preset_range(preset, today)
grain_keys = list(GRAINS)
grain = sidebar.selectbox("Grain", grain_keys, index=grain_keys.index(wanted.grain), format_func=str.capitalize)
filters = from_query(
    {"org": organization.id, "ws": workspace_id or "", "preset": preset, "from": start.isoformat(),
     "to": end.isoformat(), "grain": grain},
    today,
)  # fmt: skip
notes.extend(n for n in filters.notes if n not in notes)
filters = Filters(filters.organization_id, filters.workspace_id, filters.preset, filters.start, filters.end,
                  filters.grain)  # fmt: skip
if dict(st.query_params) != filters.to_query():
    st.query_params.from_dict(filters.to_query())

try:
    scope = scope_for(viewer, organization, workspace_id)
except Forbidden as error:
    st.error(str(error))
    st.stop()
st.session_state["scope"] = scope
st.session_state["filters"] = filters
st.session_state["organization_name"] = organization.name
sidebar.caption(f"{filters.start:%d.%m.%Y} – {filters.end:%d.%m.%Y} · by {filters.grain}")
try:
    day, computed_at = queries.as_of(scope)
    sidebar.caption(
        f"Data as of **{day:%d.%m.%Y}** (metrics computed {str(computed_at)[:16].replace('T', ' ')} UTC)"
        if day
        else "No metrics yet: run `prometric run metrics --from DATE --to DATE`."
    )
except (DBAPIError, PrometricError) as error:
    sidebar.error(f"The database is not reachable: {unreachable(error, queries.reader_engine())}")
if sidebar.button("Sign out", icon=":material/logout:"):
    sign_out()
    st.rerun()
for note in notes:
    st.warning(note, icon=":material/warning:")

pages = [
    st.Page(
        f"app_pages/{key}.py",
        title=title,
        icon=ICONS[key],
        url_path=key,
        default=key == scope.pages[0],  # the role's landing page (an employee has no Overview)
        visibility="visible" if key in scope.pages else "hidden",
    )
    for key, title in PAGES.items()
]
st.navigation(pages).run()
