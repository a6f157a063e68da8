"""Prometric dashboards: the entry point (`prometric dashboards`, `make demo`).

Sign-in gate with idle expiry → organization/workspace pickers limited to the viewer's memberships →
the shared filters mirrored in the URL → `st.navigation` listing only the pages the role may open
(the others are registered hidden, so a typed URL lands on a "not available for your role" message).
"""

from __future__ import annotations

import datetime as dt
import logging
import time

import streamlit as st
from lib import queries
from lib.access import PAGES, Forbidden, home_organization, scope_for
from lib.auth import expired, load_viewer, sign_in
from lib.filters import DEFAULT_PRESET, EARLIEST, GRAINS, PRESETS, Filters, from_query, preset_range
from lib.sessions import COOKIE, SessionRegistry, cookie_script
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from prometric_pipelines import config
from prometric_pipelines.db.engine import describe_connection_error
from prometric_pipelines.errors import PrometricError

LOG = logging.getLogger("prometric.dashboards")

st.set_page_config(page_title="Prometric", page_icon=":material/monitoring:", layout="wide")

ICONS = {
    "overview": ":material/dashboard:",
    "alerts": ":material/notifications:",
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
    start_session(viewer)
    st.rerun()  # the same URL (page and filters of a shared link) now renders signed in


@st.cache_resource
def session_registry() -> SessionRegistry:
    return SessionRegistry()


def start_session(viewer) -> None:
    st.session_state["viewer"] = viewer
    st.session_state["last_seen"] = time.monotonic()
    st.session_state["session_token"] = session_registry().issue(viewer.user_id)
    st.session_state["cookie_pending"] = True


def sign_out() -> None:
    session_registry().revoke(st.session_state.get("session_token"))
    for key in ("viewer", "scope", "filters", "last_seen", "session_token", "url_written", *WIDGETS.values()):
        st.session_state.pop(key, None)
    st.session_state["cookie_pending"] = True  # deletes the browser's cookie on the next run


def write_cookie() -> None:
    """Store (or delete) the session cookie in the browser once after it changed (lib/sessions.py)."""
    if st.session_state.pop("cookie_pending", False):
        secure = str(st.context.url or "").startswith("https://")
        with st.sidebar:
            st.html(cookie_script(st.session_state.get("session_token"), secure), unsafe_allow_javascript=True)


def resume_from_cookie() -> None:
    """A reload (F5) or a new tab: the session cookie signs the viewer back in while it is not idle too long."""
    if st.session_state.get("viewer") is not None:
        return
    token = st.context.cookies.get(COOKIE)
    user_id, was_expired = session_registry().resume(token)
    if was_expired:
        st.session_state["expired_notice"] = True
        st.session_state["cookie_pending"] = True
    if user_id is None:
        return
    try:
        viewer = load_viewer(queries.reader_engine(), user_id)
    except (DBAPIError, PrometricError):
        return  # the sign-in form says what is wrong with the database
    if viewer is not None and viewer.organizations:
        st.session_state["viewer"] = viewer
        st.session_state["last_seen"] = time.monotonic()
        st.session_state["session_token"] = token


def signed_out_navigation() -> None:
    """The sign-in form under every page's path, so a shared link (`/finance?…`) shows the form rather than
    "Page not found"; after sign-in the rerun keeps the path and renders that page with the link's filters."""
    pages = [st.Page(login_page, title="Sign in", icon=":material/login:", default=True)]
    pages += [st.Page(login_page, title=title, url_path=key) for key, title in PAGES.items()]
    write_cookie()
    st.navigation(pages, position="hidden").run()


# widget keys of the sidebar filters (their state is the truth; the URL mirrors it)
WIDGETS = {"org": "filter_org", "ws": "filter_ws", "preset": "filter_preset", "grain": "filter_grain",
           "range": "filter_range"}  # fmt: skip
URL_KEYS = ("org", "ws", "preset", "from", "to", "grain")
PAGE_URL_KEYS = ("alert",)  # a page's own parameter (the Alerts page's drill), validated by that page
ALL_WORKSPACES = "all"  # the workspace picker's "All workspaces" (None would read as "nothing chosen")


def url_filters() -> dict[str, str]:
    return {key: st.query_params[key] for key in URL_KEYS if st.query_params.get(key)}


def seed_widgets(wanted: Filters) -> None:
    """Put a link's filters into the widgets' state (before the widgets are drawn: no `index=` that would
    change their identity and drop the next click — the cause of "every second change ignored")."""
    st.session_state[WIDGETS["org"]] = wanted.organization_id
    st.session_state[WIDGETS["ws"]] = wanted.workspace_id or ALL_WORKSPACES
    st.session_state[WIDGETS["preset"]] = wanted.preset
    st.session_state[WIDGETS["grain"]] = wanted.grain
    st.session_state[WIDGETS["range"]] = (wanted.start, wanted.end)


def sidebar_filters(viewer, today: dt.date) -> tuple[Filters, object, str | None, list[str]]:
    """The sidebar's filters: seeded from the URL when it carries filters other than the ones this session
    last wrote (a shared link, a reload, back/forward), otherwise the widgets keep their own state."""
    notes: list[str] = []
    linked = url_filters()
    seeded = bool(linked and linked != st.session_state.get("url_written")) or WIDGETS["preset"] not in st.session_state
    if seeded:
        wanted = from_query(linked, today)
        notes.extend(wanted.notes)
        seed_widgets(wanted)
    organizations = {o.id: o for o in viewer.organizations}
    if st.session_state.get(WIDGETS["org"]) not in organizations:
        if st.session_state.get(WIDGETS["org"]):
            notes.append("The organization in the link is not one of yours; it was ignored.")
        st.session_state[WIDGETS["org"]] = home_organization(viewer).id
    sidebar = st.sidebar
    org_ids = list(organizations)
    organization = organizations[
        sidebar.selectbox("Organization", org_ids, key=WIDGETS["org"], format_func=lambda i: organizations[i].name)
    ]
    workspace_names = {w.id: w.name for w in organization.workspaces}
    chosen_workspace = st.session_state.get(WIDGETS["ws"]) or ALL_WORKSPACES
    if chosen_workspace != ALL_WORKSPACES and chosen_workspace not in workspace_names:
        if seeded:  # (after a switch of organization the other one's workspace simply gives way)
            notes.append("The workspace in the link is not one of yours in this organization; showing all of yours.")
        chosen_workspace = ALL_WORKSPACES
    st.session_state[WIDGETS["ws"]] = chosen_workspace
    picked_workspace = sidebar.selectbox(
        "Workspace",
        [ALL_WORKSPACES, *workspace_names],
        key=WIDGETS["ws"],
        format_func=lambda w: "All workspaces" if w == ALL_WORKSPACES else workspace_names[w],
    )
    workspace_id = None if picked_workspace == ALL_WORKSPACES else picked_workspace
    preset = sidebar.selectbox("Date range", list(PRESETS), key=WIDGETS["preset"], format_func=PRESETS.__getitem__)
    if preset == "custom":
        current = st.session_state.get(WIDGETS["range"])
        if not isinstance(current, tuple | list) or not current:
            previous = st.session_state.get("filters")
            current = (previous.start, previous.end) if previous else preset_range(DEFAULT_PRESET, today)
        low, high = current[0], current[-1]
        if len(current) == 2:  # a half-picked range (one date so far) stays as the widget has it
            st.session_state[WIDGETS["range"]] = (min(max(low, EARLIEST), today), min(max(high, EARLIEST), today))
        picked = sidebar.date_input("From – to", key=WIDGETS["range"], min_value=EARLIEST, max_value=today,
                                    format="YYYY-MM-DD")  # fmt: skip
        start, end = (picked[0], picked[-1]) if isinstance(picked, tuple | list) and picked else (low, high)
    else:
        start, end = preset_range(preset, today)
        st.session_state[WIDGETS["range"]] = (start, end)  # a switch to "Custom" starts from the range shown
    grain = sidebar.selectbox("Grain", list(GRAINS), key=WIDGETS["grain"], format_func=str.capitalize)
    chosen = from_query(
        {"org": organization.id, "ws": workspace_id or "", "preset": preset, "from": start.isoformat(),
         "to": end.isoformat(), "grain": grain},
        today,
    )  # fmt: skip
    notes.extend(n for n in chosen.notes if n not in notes)
    filters = Filters(chosen.organization_id, chosen.workspace_id, chosen.preset, chosen.start, chosen.end,
                      chosen.grain)  # fmt: skip
    wanted_url = filters.to_query()
    if url_filters() != wanted_url or set(st.query_params) - set(URL_KEYS) - set(PAGE_URL_KEYS):
        kept = {key: st.query_params[key] for key in PAGE_URL_KEYS if st.query_params.get(key)}
        st.query_params.from_dict({**wanted_url, **kept})
    st.session_state["url_written"] = wanted_url
    return filters, organization, workspace_id, notes


def main() -> None:
    resume_from_cookie()
    viewer = st.session_state.get("viewer")
    if viewer is not None and expired(st.session_state.get("last_seen")):
        sign_out()
        st.session_state["expired_notice"] = True
        viewer = None
    if viewer is None:
        signed_out_navigation()
        st.stop()
    st.session_state["last_seen"] = time.monotonic()
    session_registry().resume(st.session_state.get("session_token"))  # refresh its idle clock
    write_cookie()

    # ranges end yesterday (the nightly metrics run's last day); PROMETRIC_DASHBOARDS_TODAY pins it (tests, replays)
    today = config.dashboards_today() or dt.date.today() - dt.timedelta(days=1)
    sidebar = st.sidebar
    filters, organization, workspace_id, notes = sidebar_filters(viewer, today)
    # a name from the database: plain text; the role is the one in the organization shown
    sidebar.text(f"Signed in as {viewer.name} ({organization.role} here)")

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
    for note in notes:  # fixed sentences, never the link's text (nothing untrusted as Markdown)
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
    guarded(st.navigation(pages).run)


def guarded(render) -> None:
    """No traceback ever reaches the page: anything unexpected is logged here (server side) and the viewer
    reads one plain sentence. Streamlit's own stop/rerun signals are BaseExceptions and pass through."""
    try:
        render()
    except Exception:
        LOG.exception("dashboards page failed")
        st.error("This page could not be shown. The error was logged on the server; try another date range or page.",
                 icon=":material/error:")  # fmt: skip


guarded(main)
