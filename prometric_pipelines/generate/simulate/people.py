"""The organization, its workspaces and its people: employees (hires, departures, salaries) and users."""

from __future__ import annotations

import datetime as dt

import numpy as np

from prometric_pipelines.generate import catalog, kz
from prometric_pipelines.generate.arrays import DAY, HOUR, midnight
from prometric_pipelines.generate.state import OrgState


def simulate(history: OrgState) -> None:
    rng, opts = history.rng, history.options
    history.created = midnight(history.start - np.timedelta64(int(rng.integers(120, 1500)), "D")) + 10 * HOUR
    word = kz.COMPANY_WORDS[int(rng.integers(len(kz.COMPANY_WORDS)))]
    suffix = kz.COMPANY_SUFFIXES[int(rng.integers(len(kz.COMPANY_SUFFIXES)))]
    history.name = f"ТОО «{word} {suffix}»"
    history.domain = f"{kz.latin(word)}-{kz.latin(suffix)}-{history.ordinal + 1}.kz"
    history.industry = kz.INDUSTRIES[int(rng.integers(len(kz.INDUSTRIES)))]
    history.city = kz.CITIES[int(rng.integers(len(kz.CITIES)))]
    created_day = history.created.astype("datetime64[D]").astype(dt.date)
    history.bin = kz.make_bin(rng, created_day)

    # workspaces: the head office and 1-2 branches in other cities
    # at least one branch: switching workspaces is part of what the dashboards offer
    branches = int(rng.choice([1, 1, 2, 2])) if history.size > 0.7 else int(rng.integers(1, 3))
    others = [c for c in kz.CITIES if c != history.city]
    history.ws_city = [history.city] + [others[i] for i in rng.choice(len(others), branches, replace=False)]
    history.ws_count = 1 + branches
    history.ws_created = np.array(
        [history.created] + [history.created + int(rng.integers(30, 200)) * DAY for _ in range(branches)]
    )

    # employees (every user but the investor is one); index 0 is the owner, 1..4 the managers
    count = max(8, round(opts.scale.employees * history.size))
    history.emp_count = count
    firsts, lasts, female = kz.person_names(rng, count + 1)
    history.first, history.last, history.female = firsts, lasts, female
    hire_offset = rng.uniform(-1, 1, count)
    span_days = (history.end - history.start).astype(int)
    before = int((history.start - history.created.astype("datetime64[D]")).astype(int))
    hire_days = np.where(
        hire_offset < 0.25,
        history.start + (rng.uniform(0, span_days, count)).astype("timedelta64[D]"),
        history.start - (rng.uniform(1, max(before, 2), count)).astype("timedelta64[D]"),
    )
    hire_days[:5] = history.created.astype("datetime64[D]") + np.arange(5) * np.timedelta64(3, "D")
    history.hire = hire_days.astype("datetime64[D]")
    terminate = rng.random(count) < 0.08
    terminate[:6] = False  # the owner, the managers and the demo employee (index 5) stay
    leave_after = (rng.uniform(60, 900, count)).astype("timedelta64[D]")
    history.termination = np.where(
        terminate & (history.hire + leave_after < history.end), history.hire + leave_after, np.datetime64("NaT")
    )
    history.termination = history.termination.astype("datetime64[D]")
    positions, departments, roles, salaries = [], [], [], []
    weights = np.array([p[4] for p in catalog.POSITIONS])
    for i in range(count):
        if i == 0:
            position, dept, role, (low, high) = "Директор", "management", "owner", (1_100_000, 1_600_000)
        elif i <= len(catalog.MANAGER_POSITIONS):
            position, dept, (low, high) = catalog.MANAGER_POSITIONS[i - 1]
            role = "manager"
        else:
            position, dept, role, (low, high), _ = catalog.POSITIONS[
                rng.choice(len(weights), p=weights / weights.sum())
            ]
        positions.append(position)
        departments.append(dept)
        roles.append(role)
        salaries.append(int(rng.integers(low // 1000, high // 1000 + 1)) * 1000)
    history.position, history.emp_dept, history.emp_role = positions, departments, np.array(roles)
    history.salary = np.array(salaries, dtype=np.int64) * 100
    history.emp_ws = np.where(rng.random(count) < 0.75, 0, rng.integers(0, history.ws_count, count))
    history.emp_ws[:5] = 0
    history.managers = np.arange(1, 5)
    history.sales_staff = np.flatnonzero(np.array(departments) == "sales")
    # users: employees first (same index), then the investor
    history.user_count = count + 1
    history.investor = count
