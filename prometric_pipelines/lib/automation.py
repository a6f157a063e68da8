"""Whether schedules and sensors start running when a code location loads.

`PROMETRIC_SCHEDULES=running` (set by `make demo` / `prometric demo` and by the production deployment,
deploy/helm-values.yaml) starts every schedule; otherwise they load stopped, so a developer's
`prometric ui` or `dagster dev` against some database never starts writing on its own at 01:00.
An operator can still switch each schedule on or off in the UI; that choice is kept in the instance.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import dagster as dg

from prometric_pipelines.business_calendar import TIMEZONE_NAME
from prometric_pipelines.config import schedules_running

if TYPE_CHECKING:
    from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition


def default_schedule_status() -> dg.DefaultScheduleStatus:
    """RUNNING when PROMETRIC_SCHEDULES is `running`, STOPPED otherwise (read when definitions load)."""
    return dg.DefaultScheduleStatus.RUNNING if schedules_running() else dg.DefaultScheduleStatus.STOPPED


def default_sensor_status() -> dg.DefaultSensorStatus:
    """The same switch for automation-condition sensors, which would otherwise load stopped even in the demo."""
    return dg.DefaultSensorStatus.RUNNING if schedules_running() else dg.DefaultSensorStatus.STOPPED


def business_schedule(
    job: UnresolvedAssetJobDefinition | dg.JobDefinition, cron: str, description: str, *, alternative: bool = False
) -> Callable[..., dg.ScheduleDefinition]:
    """`dagster.schedule` ticking in the business time zone, on or off with PROMETRIC_SCHEDULES; an `alternative`
    (a per-organization twin an operator switches on instead of the usual one) always loads stopped."""
    return dg.schedule(
        job=job,
        cron_schedule=cron,
        execution_timezone=TIMEZONE_NAME,
        default_status=dg.DefaultScheduleStatus.STOPPED if alternative else default_schedule_status(),
        description=description,
    )


def business_schedule_definition(
    name: str, cron: str, job: UnresolvedAssetJobDefinition | dg.JobDefinition, description: str
) -> dg.ScheduleDefinition:
    """A schedule that only starts its job (no config, no tags) in the business time zone."""
    return dg.ScheduleDefinition(
        name=name,
        cron_schedule=cron,
        execution_timezone=TIMEZONE_NAME,
        job=job,
        default_status=default_schedule_status(),
        description=description,
    )
