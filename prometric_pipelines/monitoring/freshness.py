"""Which partition must exist at a given moment (the freshness deadlines of the operations spec).

* `daily_metrics`: yesterday's partition (a business day) by 03:00 — the nightly run starts at 01:00.
* `payroll_run`: last month's partition by the 2nd (00:00) — the schedule runs on the 1st at 06:00.

Before a deadline passes, the previous deadline's partition is the one expected.
"""

from __future__ import annotations

import datetime as dt

from prometric_pipelines.business_calendar import BUSINESS_TIMEZONE, month_start, previous_month

DAILY_METRICS_DEADLINE = dt.time(3, 0)
PAYROLL_DEADLINE_DAY = 2


def expected_daily_partition(now: dt.datetime) -> dt.date:
    """The day whose `daily_metrics` partition must be materialized at `now` (aware datetime)."""
    local = now.astimezone(BUSINESS_TIMEZONE)
    deadline_day = local.date() if local.time() >= DAILY_METRICS_DEADLINE else local.date() - dt.timedelta(days=1)
    return deadline_day - dt.timedelta(days=1)


def expected_payroll_month(now: dt.datetime) -> dt.date:
    """The first day of the month whose `payroll_run` partition must be materialized at `now`."""
    local = now.astimezone(BUSINESS_TIMEZONE)
    this_month = month_start(local.date())
    deadline_month = this_month if local.day >= PAYROLL_DEADLINE_DAY else previous_month(this_month)
    return previous_month(deadline_month)
