"""Audit: search across live and archived audit logs (who, what, when, old/new values; masked)."""

import streamlit as st
from lib import queries
from lib.access import Forbidden
from lib.ui import forbidden, page_context, table

from prometric_pipelines.errors import PrometricError

ctx = page_context("audit")
left, right = st.columns(2)
entity = left.text_input("Entity (table name, exact)", max_chars=100, placeholder="e.g. deals")
action = right.text_input("Action (exact)", max_chars=50, placeholder="e.g. UPDATE")
try:
    data = queries.page_data(ctx.scope, "audit", ctx.filters, entity=entity, action=action)
except Forbidden as error:
    forbidden(error)
except PrometricError as error:
    st.error(str(error))
    st.stop()
rows = data["rows"]
st.caption(f"{len(rows)} row(s), newest first (at most {queries.TABLE_LIMIT}); live and archived logs.")
shown = (
    rows[["createdAt", "userId", "action", "entity", "entityId", "oldValue", "newValue"]] if not rows.empty else rows
)
table(shown, "audit_logs", empty_message="No audit rows match this range and search.")
