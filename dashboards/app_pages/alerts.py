"""Alerts: unusual daily numbers, KPIs off target, stale data and failed runs of the organization — filters,
the explanation in the viewer's language, acknowledge, and a drill to the orders, payments and invoices of the
alert's day and workspace. Everything from the database is shown as plain text (st.text, st.dataframe)."""

import pandas as pd
import streamlit as st
from lib import alert_view, queries
from lib import format as fmt
from lib.access import Forbidden
from lib.ui import empty, forbidden, page_context, table

STATES = {"open": "Not acknowledged", "acknowledged": "Acknowledged", "any": "All"}
LANGUAGES = {"en": "English", "ru": "Русский"}

ctx = page_context("alerts")
f = ctx.filters
st.text(f"{ctx.organization_name} · alerts of {f.start:%d.%m.%Y} – {f.end:%d.%m.%Y} (workspace: the sidebar's)")
flash = st.session_state.pop("alert_flash", None)
if flash:  # the outcome of the last acknowledge (fixed sentences)
    (st.success if flash[0] else st.error)(flash[1])

if "alert_language" not in st.session_state:  # the viewer's setting (as in the e-mail), else the browser's
    st.session_state["alert_language"] = queries.viewer_language(ctx.scope) or alert_view.language_of(st.context.locale)
kind_column, severity_column, subject_column, state_column, language_column = st.columns(5)
kind = kind_column.selectbox("Kind", [None, *queries.ALERT_KINDS], key="alert_kind",
                             format_func=lambda k: "Any kind" if k is None else queries.ALERT_KINDS[k])  # fmt: skip
severity = severity_column.selectbox(
    "Severity", [None, *queries.ALERT_SEVERITIES], key="alert_severity",
    format_func=lambda s: "Any severity" if s is None else queries.ALERT_SEVERITIES[s],
)  # fmt: skip
state = state_column.selectbox("Status", list(STATES), key="alert_state", format_func=STATES.__getitem__)
language = language_column.selectbox("Explanation in", list(LANGUAGES), key="alert_language",
                                     format_func=LANGUAGES.__getitem__)  # fmt: skip
acknowledged = {"open": False, "acknowledged": True}.get(state)


def alerts_of(subject: str | None) -> dict:
    try:
        return queries.page_data(ctx.scope, "alerts", f, kind=kind, severity=severity, subject=subject,
                                 acknowledged=acknowledged)  # fmt: skip
    except Forbidden as error:
        forbidden(error)
        raise  # not reached: forbidden() stops the script run


data = alerts_of(st.session_state.get("alert_subject"))
subjects = data["subjects"]
offered = sorted({str(s) for k, s in zip(subjects["kind"], subjects["subject"], strict=True) if kind in (None, k)})
if st.session_state.get("alert_subject") not in (None, *offered):
    st.session_state["alert_subject"] = None  # (another kind or range has no alerts on that subject)
    data = alerts_of(None)
subject_column.selectbox("Metric / KPI", [None, *offered], key="alert_subject",
                         format_func=lambda s: "Any metric" if s is None else alert_view.subject_label(s))  # fmt: skip

alerts = data["alerts"]
table(
    alert_view.listing(alerts, language),
    "alerts",
    formats={"day": fmt.date, "acknowledged_at": fmt.timestamp},
    empty_message="No alerts match these filters in this date range.",
)
if len(alerts) >= queries.TABLE_LIMIT:
    st.caption(f"The newest {queries.TABLE_LIMIT} alerts are listed: narrow the filters or the range to see others.")

# ---- the drill: one alert, its explanation, acknowledge, the rows behind its number ----------------------
st.subheader("Alert details")
labels = {str(a["id"]): alert_view.label(a) for a in alerts.to_dict("records")}
linked = st.query_params.get("alert")
if linked and st.session_state.get("alert_linked") != linked:  # a link (the Overview's marker, a shared URL)
    st.session_state["alert_linked"] = linked
    detail = queries.alert(ctx.scope, linked)
    if detail is None:
        st.warning("The alert in the link is not one of this organization's alerts that you may see; "
                   "choose one below.", icon=":material/warning:")  # fmt: skip
    else:
        st.session_state["alert_chosen"] = str(detail["alert"]["id"])
chosen = st.session_state.get("alert_chosen")
if chosen and chosen not in labels:  # a linked alert outside the filters stays reachable
    detail = queries.alert(ctx.scope, chosen)
    if detail is None:
        st.session_state["alert_chosen"] = chosen = None
    else:
        labels[chosen] = alert_view.label(detail["alert"])
if not labels:
    empty("Choose filters that list an alert to see its details.")
    st.stop()
chosen = st.selectbox("Alert", [None, *labels], key="alert_chosen",
                      format_func=lambda a: "Choose an alert…" if a is None else labels[a])  # fmt: skip
if chosen is None:
    st.query_params.pop("alert", None)
    st.stop()
st.query_params["alert"] = chosen
st.session_state["alert_linked"] = chosen  # this session wrote it: not a link to follow again
detail = queries.alert(ctx.scope, chosen)
if detail is None:
    empty("This alert is no longer there.")
    st.stop()
shown = detail["alert"]
st.text(alert_view.explanation(shown, language))
value_column, baseline_column, day_column, severity_shown = st.columns(4)
value_column.metric("Value", alert_view.value(shown["subject"], shown["value"]), border=True)
baseline_column.metric(alert_view.baseline_title(shown["kind"]), alert_view.value(shown["subject"], shown["baseline"]),
                       border=True)  # fmt: skip
day_column.metric("Day", fmt.date(shown["day"]), border=True)
severity_shown.metric("Severity", queries.ALERT_SEVERITIES.get(str(shown["severity"]), "—"), border=True)
st.text(f"Workspace: {alert_view.workspace(shown)}")
if pd.isna(shown["acknowledged_at"]):
    if st.button("Acknowledge", icon=":material/done:", key="alert_acknowledge"):
        done = queries.acknowledge_alert(ctx.scope, chosen)
        st.session_state["alert_flash"] = (
            (True, "The alert is acknowledged.")
            if done
            else (False, "This alert could not be acknowledged: only an owner or manager of its organization can.")
        )
        st.rerun()
else:
    st.text(f"Acknowledged by {fmt.person(shown['acknowledged_by'], 'unknown user')} "
            f"at {fmt.timestamp(shown['acknowledged_at'])} UTC")  # fmt: skip

st.subheader("Rows behind the number")
if shown["kind"] not in alert_view.BUSINESS_KINDS:
    st.info("This alert is about the platform's own jobs (stale data or a failed run), not a business number: "
            "no orders, payments or invoices are behind it.", icon=":material/info:")  # fmt: skip
    st.stop()
st.caption(
    f"Orders of {fmt.date(shown['day'])} (the organization's local day), payments dated that day and invoices issued "
    "that day or falling overdue that day (due the day before), in the alert's workspace "
    "(every workspace you may see for an alert of the whole organization)."
)
order = alert_view.source_order(detail["source"])
tabs = st.tabs([f"{alert_view.SOURCE_TITLES[s]} ({len(detail[s])})" for s in order])
for tab, source in zip(tabs, order, strict=True):
    with tab:
        alert_view.rows_table(detail[source], source)
