"""Business time in one place: the country's time zone, business days and calendar months.

Business days are local days in Kazakhstan (one zone since 2024). Timestamps in the database are UTC
(`timestamp without time zone`); SQL converts them with each organization's own zone, and where an
organization names none, with `TIMEZONE_NAME` passed as a parameter, never written out. Public holidays
and working days are in `kz_calendar.py`; this module is about zones, days and months.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

# The name Dagster's schedules and partitions take (`execution_timezone=`, `timezone=`) and SQL's
# `AT TIME ZONE :zone` gets; organizations may name their own in `settings->>'timezone'`.
TIMEZONE_NAME = "Asia/Almaty"
BUSINESS_TIMEZONE = ZoneInfo(TIMEZONE_NAME)


def business_today() -> dt.date:
    """Today in the country's time zone: the business day of a job when none is given."""
    return dt.datetime.now(BUSINESS_TIMEZONE).date()


def local_date(moment: dt.datetime) -> dt.date:
    """The business day of an aware moment (a schedule's tick, a file's time)."""
    return moment.astimezone(BUSINESS_TIMEZONE).date()


def month_start(day: dt.date) -> dt.date:
    """The first day of `day`'s month."""
    return day.replace(day=1)


def month_index(day: dt.date) -> int:
    """Months since year 0: consecutive months have consecutive indexes."""
    return day.year * 12 + day.month - 1


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after (negative: before) `day`'s month."""
    index = month_index(day) + months
    return dt.date(index // 12, index % 12 + 1, 1)


def previous_month(day: dt.date) -> dt.date:
    """The first day of the month before `day`'s month."""
    return add_months(day, -1)


def month_end(day: dt.date) -> dt.date:
    """The last day of `day`'s month."""
    return add_months(day, 1) - dt.timedelta(days=1)
