"""Whether schedules start running when a code location loads.

`PROMETRIC_SCHEDULES=running` (set by `make demo` / `prometric demo` and by the production deployment,
deploy/helm-values.yaml) starts every schedule; otherwise they load stopped, so a developer's
`prometric ui` or `dagster dev` against some database never starts writing on its own at 01:00.
An operator can still switch each schedule on or off in the UI; that choice is kept in the instance.
"""

import os

import dagster as dg

SCHEDULES_VARIABLE = "PROMETRIC_SCHEDULES"


def default_schedule_status() -> dg.DefaultScheduleStatus:
    """RUNNING when PROMETRIC_SCHEDULES is `running`, STOPPED otherwise (read when definitions load)."""
    running = os.environ.get(SCHEDULES_VARIABLE, "").strip().lower() == "running"
    return dg.DefaultScheduleStatus.RUNNING if running else dg.DefaultScheduleStatus.STOPPED
