"""Projects and tasks with their status flow."""

from __future__ import annotations

import numpy as np

from prometric_pipelines import kz_calendar
from prometric_pipelines.generate import catalog
from prometric_pipelines.generate.arrays import NAT
from prometric_pipelines.generate.state import OrgState


def simulate(history: OrgState) -> None:
    rng = history.rng
    n_projects = max(2, int(3 * history.size + history.options.days / 180))
    history.proj_start = history.start + rng.integers(-60, max(history.options.days - 30, 1), n_projects).astype(
        "timedelta64[D]"
    )
    history.proj_ws = rng.integers(0, history.ws_count, n_projects)
    history.proj_owner = rng.choice(history.managers, n_projects)
    days = np.arange(history.start, history.end + 1)
    per_day = 0.06 * history.emp_count * np.where(kz_calendar.working_day_mask(days), 1.0, 0.1)
    created = np.sort(history.business_times(np.repeat(days, rng.poisson(per_day))))
    n = len(created)
    history.task_created = created
    history.task_project = np.where(rng.random(n) < 0.6, rng.integers(0, n_projects, n), -1)
    history.task_assignee = rng.integers(0, history.emp_count, n)
    history.task_assigner = rng.choice(history.managers, n)
    history.task_due = created + (rng.integers(1, 15, n) * 86_400).astype("timedelta64[s]")
    t_start = created + (rng.exponential(1.5, n) * 86_400).astype("timedelta64[s]")
    t_review = t_start + (rng.exponential(3, n) * 86_400).astype("timedelta64[s]")
    t_done = t_review + (rng.exponential(1, n) * 86_400).astype("timedelta64[s]")
    cancelled = rng.random(n) < 0.07
    flow = np.stack([t_start, t_review, t_done], axis=1)
    happened = (flow <= history.end_ts) & ~cancelled[:, None]
    reached = happened.sum(axis=1)
    status = np.array(["TODO", "IN_PROGRESS", "IN_REVIEW", "DONE"])[reached]
    cancel_at = created + (rng.uniform(1, 10, n) * 86_400).astype("timedelta64[s]")
    cancelled &= cancel_at <= history.end_ts
    status[cancelled] = "CANCELLED"
    history.task_status, history.task_flow, history.task_happened = status, flow, happened
    history.task_completed = np.where(status == "DONE", t_done, NAT)
    history.task_cancel_at = cancel_at
    history.task_ids = history.ids(created)
    history.task_title = history.pick(catalog.TASK_TITLES, n)
