"""Audit: search across live and archived audit logs (who, what, when, old/new values; masked), a page at a time."""

import streamlit as st
from lib import format as fmt
from lib import queries
from lib.access import Forbidden
from lib.ui import forbidden, page_context, table

from prometric_pipelines.errors import PrometricError

ctx = page_context("audit")
left, right = st.columns(2)
entity = left.text_input("Entity (exact, singular)", max_chars=100, placeholder="e.g. deal", key="audit_entity")
action = right.text_input("Action (exact)", max_chars=50, placeholder="e.g. UPDATE", key="audit_action")
if "\x00" in entity + action:  # PostgreSQL text cannot hold it; a plain note, never the input echoed back
    st.warning("The search contained a NUL character; it was removed.", icon=":material/warning:")
# a new search or range starts at the first page
search_key = (entity, action, ctx.filters)
if st.session_state.get("audit_search") != search_key:
    st.session_state["audit_search"] = search_key
    st.session_state["audit_page"] = 0
page = st.session_state.get("audit_page", 0)
try:
    data = queries.page_data(ctx.scope, "audit", ctx.filters, entity=entity, action=action, page_number=page)
except Forbidden as error:
    forbidden(error)
except PrometricError as error:
    st.error(str(error))
    st.stop()
if data["entities"]:
    st.text("Entities with rows in this range: " + ", ".join(data["entities"]))  # names from the database
rows = data["rows"]
first = data["page"] * data["page_size"] + 1
if rows.empty:
    st.caption("No rows on this page.")
else:
    more = " · more on the next page" if data["more"] else ""
    st.caption(f"Rows {first}–{first + len(rows) - 1}, newest first; live and archived logs{more}.")
shown = (
    rows[["createdAt", "user", "action", "entity", "entityId", "oldValue", "newValue"]].rename(
        columns={"createdAt": "when", "entityId": "entity_id", "oldValue": "old_value", "newValue": "new_value"}
    )
    if not rows.empty
    else rows
)
table(shown, "audit_logs", formats={"when": fmt.timestamp, "entity_id": fmt.short_ids, "old_value": fmt.short_ids,
                                    "new_value": fmt.short_ids},
      empty_message="No audit rows match this range and search.")  # fmt: skip
previous, following = st.columns(2)
if previous.button("Newer rows", icon=":material/chevron_left:", disabled=data["page"] == 0):
    st.session_state["audit_page"] = max(0, data["page"] - 1)
    st.rerun()
if following.button("Older rows", icon=":material/chevron_right:", disabled=not data["more"]):
    st.session_state["audit_page"] = data["page"] + 1
    st.rerun()
