"""Kazakhstan's working-day calendar: public holidays that are days off, and working days.

Shared by the data generator (attendance) and payroll (norm days). Rules (Labour Code of the RK,
Art. 84, and the Law "On holidays in the RK"):
* days off: 1-2 Jan, 7 Jan (Orthodox Christmas), 8 Mar, 21-23 Mar (Nauryz), 1 May, 7 May, 9 May,
  6 Jul, 30 Aug, 25 Oct (Republic Day, a day off again from 2022), 16 Dec (and 17 Dec until 2021),
  and the first day of Kurban Ait (lunar date, below);
* a holiday other than the religious ones (7 Jan, Kurban Ait) that falls on Saturday or Sunday
  moves its day off to the next working day.
Government decrees that swap single working days (e.g. a Saturday worked for a bridge day) are
not modelled; organisations list them in `organizations.settings.payroll.holidays`.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import numpy as np

# First day of Kurban Ait (Eid al-Adha) as announced by the Spiritual Administration of Muslims
# of Kazakhstan; the government's holiday decrees repeat these dates.
KURBAN_AIT = {
    2018: dt.date(2018, 8, 21),
    2019: dt.date(2019, 8, 11),
    2020: dt.date(2020, 7, 31),
    2021: dt.date(2021, 7, 20),
    2022: dt.date(2022, 7, 9),
    2023: dt.date(2023, 6, 28),
    2024: dt.date(2024, 6, 16),
    2025: dt.date(2025, 6, 6),
    2026: dt.date(2026, 5, 27),
    2027: dt.date(2027, 5, 16),
    2028: dt.date(2028, 5, 5),
    2029: dt.date(2029, 4, 24),
    2030: dt.date(2030, 4, 13),
}
FIRST_YEAR, LAST_YEAR = min(KURBAN_AIT), max(KURBAN_AIT)


def _fixed_holidays(year: int) -> list[dt.date]:
    days = [(1, 1), (1, 2), (3, 8), (3, 21), (3, 22), (3, 23), (5, 1), (5, 7), (5, 9), (7, 6), (8, 30), (12, 16)]
    if year >= 2022:
        days.append((10, 25))
    else:
        days.append((12, 17))
    return [dt.date(year, month, day) for month, day in days]


@cache
def holidays(year: int) -> frozenset[dt.date]:
    """Days off for public holidays in `year`, carried-over days included (weekends not included)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"no Kazakhstan holiday calendar for {year} (known: {FIRST_YEAR}-{LAST_YEAR})")
    secular = sorted(_fixed_holidays(year))
    days_off = set(secular) | {dt.date(year, 1, 7), KURBAN_AIT[year]}
    for holiday in secular:
        if holiday.weekday() >= 5:
            carried = holiday + dt.timedelta(days=1)
            while carried.weekday() >= 5 or carried in days_off:
                carried += dt.timedelta(days=1)
            days_off.add(carried)
    return frozenset(day for day in days_off if day.weekday() < 5)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in holidays(day.year)


def working_days(first: dt.date, last: dt.date) -> list[dt.date]:
    """Working days in [first, last]."""
    count = (last - first).days + 1
    return [day for day in (first + dt.timedelta(days=i) for i in range(count)) if is_working_day(day)]


def working_day_mask(days: np.ndarray) -> np.ndarray:
    """Vectorised `is_working_day` over a datetime64[D] array."""
    days = np.asarray(days, dtype="datetime64[D]")
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday (weekday 3)
    years = range(int(str(days.min())[:4]), int(str(days.max())[:4]) + 1) if days.size else range(0)
    off = np.array(sorted(d for y in years for d in holidays(y)), dtype="datetime64[D]")
    return (weekday < 5) & ~np.isin(days, off)
