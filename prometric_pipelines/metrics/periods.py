"""Periods of the metrics table: grain names, first days and steps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta


@dataclass(frozen=True)
class Period:
    name: str  # the `metrics.period` value
    grain: str  # PostgreSQL date_trunc field
    step: str  # PostgreSQL interval from one period's first day to the next
    delta: relativedelta

    def start_of(self, day: dt.date) -> dt.date:
        """The first day of the period containing `day` (ISO weeks start on Monday)."""
        if self.name == "daily":
            return day
        if self.name == "weekly":
            return day - dt.timedelta(days=day.weekday())
        if self.name == "monthly":
            return day.replace(day=1)
        if self.name == "quarterly":
            return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        return dt.date(day.year, 1, 1)

    def touched(self, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
        """First days of the first and last periods that contain a day of start..end."""
        return self.start_of(start), self.start_of(end)

    def next(self, first_day: dt.date) -> dt.date:
        return first_day + self.delta


DAILY = Period("daily", "day", "1 day", relativedelta(days=1))
WEEKLY = Period("weekly", "week", "7 days", relativedelta(weeks=1))
MONTHLY = Period("monthly", "month", "1 month", relativedelta(months=1))
QUARTERLY = Period("quarterly", "quarter", "3 months", relativedelta(months=3))
YEARLY = Period("yearly", "year", "1 year", relativedelta(years=1))
PERIODS: dict[str, Period] = {p.name: p for p in (DAILY, WEEKLY, MONTHLY, QUARTERLY, YEARLY)}
ROLLUPS: tuple[Period, ...] = (WEEKLY, MONTHLY, QUARTERLY, YEARLY)
