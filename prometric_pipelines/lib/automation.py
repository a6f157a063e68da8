"""Whether schedules and sensors start running when a code location loads.

`PROMETRIC_SCHEDULES=running` (set by `make demo` / `prometric demo` and by the production deployment,
deploy/helm-values.yaml) starts every schedule; otherwise they load stopped, so a developer's
`prometric ui` or `dagster dev` against some database never starts writing on its own at 01:00.
An operator can still switch each schedule on or off in the UI; that choice is kept in the instance.
"""

import dagster as dg

from prometric_pipelines.config import schedules_running


def default_schedule_status() -> dg.DefaultScheduleStatus:
    """RUNNING when PROMETRIC_SCHEDULES is `running`, STOPPED otherwise (read when definitions load)."""
    return dg.DefaultScheduleStatus.RUNNING if schedules_running() else dg.DefaultScheduleStatus.STOPPED


def default_sensor_status() -> dg.DefaultSensorStatus:
    """The same switch for automation-condition sensors, which would otherwise load stopped even in the demo."""
    return dg.DefaultSensorStatus.RUNNING if schedules_running() else dg.DefaultSensorStatus.STOPPED
