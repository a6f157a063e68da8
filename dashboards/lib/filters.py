"""The sidebar filters: date presets, grains, and their round trip through the URL (`st.query_params`).

Plain Python: `from_query(params, today)` never raises — a bad or tampered value falls back to the
default and is reported in `Filters.notes`, so a shared link with a typo still opens.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from prometric_pipelines.business_calendar import month_start

PRESETS: dict[str, str] = {
    "7d": "Last 7 days",
    "30d": "Last 30 days",
    "90d": "Last 90 days",
    "mtd": "Month to date",
    "qtd": "Quarter to date",
    "ytd": "Year to date",
    "last_year": "Last year",
    "custom": "Custom",
}
DEFAULT_PRESET = "90d"
# grain shown → metrics.period stored
GRAINS: dict[str, str] = {
    "day": "daily",
    "week": "weekly",
    "month": "monthly",
    "quarter": "quarterly",
    "year": "yearly",
}
DEFAULT_GRAIN = "week"
# a range longer than this is cut (a huge custom range must not scan years of facts per click)
MAX_DAYS = 3 * 366
# no business data before this; a link's `from=0001-01-01` must not reach date arithmetic near year 1
EARLIEST = dt.date(2000, 1, 1)


@dataclass(frozen=True)
class Filters:
    organization_id: str | None
    workspace_id: str | None  # None: all of the viewer's workspaces
    preset: str
    start: dt.date
    end: dt.date
    grain: str
    notes: tuple[str, ...] = field(default=())

    @property
    def period(self) -> str:
        return GRAINS[self.grain]

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> tuple[dt.date, dt.date]:
        """The period of equal length just before (for "change vs previous period")."""
        return self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1)

    def to_query(self) -> dict[str, str]:
        params = {"preset": self.preset, "grain": self.grain}
        if self.organization_id:
            params["org"] = self.organization_id
        if self.workspace_id:
            params["ws"] = self.workspace_id
        if self.preset == "custom":
            params["from"], params["to"] = self.start.isoformat(), self.end.isoformat()
        return params


def preset_range(preset: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The range a preset means on `today` (the data's last day: ranges end there, not in the future)."""
    if preset == "7d":
        return today - dt.timedelta(days=6), today
    if preset == "30d":
        return today - dt.timedelta(days=29), today
    if preset == "90d":
        return today - dt.timedelta(days=89), today
    if preset == "mtd":
        return month_start(today), today
    if preset == "qtd":
        return dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today
    if preset == "ytd":
        return dt.date(today.year, 1, 1), today
    if preset == "last_year":
        return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    raise ValueError(f"unknown preset {preset!r}")


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def from_query(params: Mapping[str, str], today: dt.date) -> Filters:
    """Filters from URL parameters (org, ws, preset, from, to, grain); bad values → defaults + a note.

    The notes are fixed sentences that never repeat the parameter's text: a link is untrusted input
    and the page shows the notes as-is."""
    notes: list[str] = []
    preset = params.get("preset") or DEFAULT_PRESET
    if preset not in PRESETS:
        notes.append(f"The date range in the link is not known: showing {PRESETS[DEFAULT_PRESET].lower()}.")
        preset = DEFAULT_PRESET
    if preset == "custom":
        start, end = _date(params.get("from")), _date(params.get("to"))
        if start is None or end is None or start > end or end < EARLIEST:
            notes.append("The custom date range in the link is not two dates (from ≤ to): showing the last 90 days.")
            preset = DEFAULT_PRESET
            start, end = preset_range(preset, today)
        elif start > today:
            notes.append(f"The custom date range in the link starts after {today:%d.%m.%Y}, the last day with data: "
                         "showing the last 90 days.")  # fmt: skip
            preset = DEFAULT_PRESET
            start, end = preset_range(preset, today)
        else:
            if end > today:
                notes.append(f"The date range in the link ends after {today:%d.%m.%Y}, the last day with data: "
                             "it ends there.")  # fmt: skip
                end = today
            if start < EARLIEST:
                notes.append(f"The date range in the link starts before {EARLIEST:%d.%m.%Y}: it starts there.")
                start = EARLIEST
            if (end - start).days + 1 > MAX_DAYS:
                start = end - dt.timedelta(days=MAX_DAYS - 1)
                notes.append(f"The date range was cut to its last {MAX_DAYS} days.")
    else:
        start, end = preset_range(preset, today)
    grain = params.get("grain") or DEFAULT_GRAIN
    if grain not in GRAINS:
        notes.append("The grain in the link is not known: showing weeks.")
        grain = DEFAULT_GRAIN
    return Filters(params.get("org") or None, params.get("ws") or None, preset, start, end, grain, tuple(notes))
