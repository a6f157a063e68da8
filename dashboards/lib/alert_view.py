"""How alerts read on the pages: labels, the listing's columns, values by the metric's unit, the drill's tables.

Plain Python over the query layer's frames (lib/queries.py `alerts_data`, `alert_detail`, `alert_days`), so the
Alerts page, the Overview's markers and the tests share one wording. Every value goes through lib/format.py;
names and explanations from the database stay plain text (the pages put them in st.text / st.dataframe).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from lib import format as fmt
from lib.queries import ALERT_KINDS, ALERT_SEVERITIES, OVERVIEW_CARDS
from lib.ui import table

BUSINESS_KINDS = ("anomaly", "kpi_target")  # alerts about a number of the business: rows are behind them
SOURCE_TITLES = {"orders": "Orders", "payments": "Payments", "invoices": "Invoices"}
_CARD_TITLES = {name: title for name, title, _unit in OVERVIEW_CARDS}
# metrics in tenge and in percent (every other metric is a count or a quantity)
_MONEY_WORDS = ("revenue", "amount", "value", "profit", "cash_flow", "receivable", "payments", "gross", "cost")
_PERCENT_ENDINGS = ("_rate", "_pct")
ALL_WORKSPACES = "whole organization"


def subject_label(subject: object) -> str:
    """A metric / KPI / asset as words: `orders_revenue` → "Revenue" (the card's title), else "Win rate"."""
    text = fmt.plain(subject)
    return _CARD_TITLES.get(text) or fmt.header(text.replace("/", " / "))


def value(subject: object, number: object) -> str:
    """An alert's value or baseline by its metric's unit: `1 234 567 ₸`, `45.5 %`, `12`."""
    name = str(subject)
    if name.endswith(_PERCENT_ENDINGS):
        return fmt.percent(number)
    if any(word in name for word in _MONEY_WORDS):
        return fmt.kzt(number)
    return fmt.plain(number)


def baseline_title(kind: object) -> str:
    return {"anomaly": "Usual (same weekday)", "kpi_target": "Target"}.get(str(kind), "Baseline")


def workspace(alert: Mapping[str, Any]) -> str:
    return fmt.plain(alert.get("workspace")) if not fmt.is_missing(alert.get("workspace_id")) else ALL_WORKSPACES


def language_of(locale: object) -> str:
    """The explanation's default language from the browser's (`ru-RU`, `kk-KZ` → Russian; else English)."""
    return "ru" if str(locale or "").lower().startswith(("ru", "kk")) else "en"


def explanation(alert: Mapping[str, Any], language: str) -> str:
    """The explanation in `language` ('ru' or 'en'); the other language when that one is empty."""
    russian, english = alert.get("explanation_ru"), alert.get("explanation")
    first, second = (russian, english) if language == "ru" else (english, russian)
    for text in (first, second):
        if not fmt.is_missing(text) and str(text).strip():
            return str(text)
    return "—"


def label(alert: Mapping[str, Any]) -> str:
    """One line naming an alert in a picker: `2025-11-12 · Severe · Revenue · Main`."""
    return " · ".join(
        (
            fmt.date(alert["day"]),
            ALERT_SEVERITIES.get(str(alert["severity"]), fmt.plain(alert["severity"])),
            subject_label(alert["subject"]),
            workspace(alert),
        )
    )


LISTING_COLUMNS = ["day", "severity", "kind", "subject", "workspace", "value", "baseline", "explanation",
                   "acknowledged_by", "acknowledged_at"]  # fmt: skip


def listing(alerts: pd.DataFrame, language: str) -> pd.DataFrame:
    """The Alerts table: words for kind, severity and subject, values by unit, the explanation in `language`."""
    if alerts.empty:
        return pd.DataFrame(columns=LISTING_COLUMNS)
    records = alerts.to_dict("records")
    return pd.DataFrame(
        {
            "day": alerts["day"],
            "severity": [ALERT_SEVERITIES.get(str(s), fmt.plain(s)) for s in alerts["severity"]],
            "kind": [ALERT_KINDS.get(str(k), fmt.plain(k)) for k in alerts["kind"]],
            "subject": [subject_label(s) for s in alerts["subject"]],
            "workspace": [workspace(a) for a in records],
            "value": [value(a["subject"], a["value"]) for a in records],
            "baseline": [value(a["subject"], a["baseline"]) for a in records],
            "explanation": [explanation(a, language) for a in records],
            "acknowledged_by": [
                "—" if fmt.is_missing(a["acknowledged_at"]) else fmt.person(a["acknowledged_by"], "unknown user")
                for a in records
            ],
            "acknowledged_at": alerts["acknowledged_at"],
        }
    )


def source_order(source: str | None) -> list[str]:
    """The drill's tables, the one the alert's metric is computed from first."""
    return sorted(SOURCE_TITLES, key=lambda s: (s != source, list(SOURCE_TITLES).index(s)))


def rows_table(rows: pd.DataFrame, source: str) -> None:
    money = {"orders": ("total",), "payments": ("amount",), "invoices": ("total", "paid")}[source]
    table(rows, f"alert_{source}", money=money, formats={"ordered_at": fmt.timestamp},
          empty_message=f"No {SOURCE_TITLES[source].lower()} on this day in this workspace.")  # fmt: skip


def card_badges(days: pd.DataFrame) -> dict[str, str]:
    """Overview card metric → its badge (`⚠ 2 alerts`) for the range's alert days (`queries.alert_days`)."""
    if days.empty:
        return {}
    counts = days.groupby("subject")["alerts"].sum()
    return {str(s): f"⚠ {int(n)} alert{'s' if n != 1 else ''}" for s, n in counts.items() if s in _CARD_TITLES}
