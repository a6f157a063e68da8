"""HR: leaves per employee and year, and attendance on every working day of employment."""

from __future__ import annotations

import numpy as np

from prometric_pipelines import kz_calendar
from prometric_pipelines.generate.arrays import DAY, HOUR, midnight
from prometric_pipelines.generate.state import OrgState


def simulate(history: OrgState) -> None:
    rng = history.rng
    leave_rows = []  # (employee, type, start, end, status)
    for e in range(history.emp_count):
        hire = history.hire[e]
        stop = history.termination[e] if not np.isnat(history.termination[e]) else history.end
        first = max(hire, history.start)
        year = first.astype("datetime64[Y]")
        taken: list[tuple[np.datetime64, np.datetime64]] = []
        while year <= stop.astype("datetime64[Y]"):
            y0 = year.astype("datetime64[D]")
            plans = [("annual", y0 + int(rng.integers(150, 240)), int(rng.integers(7, 15)))]
            plans += [
                ("sick", y0 + int(rng.integers(0, 360)), int(rng.integers(1, 6))) for _ in range(rng.poisson(1.0))
            ]
            if rng.random() < 0.12:
                plans.append(("unpaid", y0 + int(rng.integers(0, 360)), int(rng.integers(1, 4))))
            if history.female[e] and rng.random() < 0.01:
                plans.append(("maternity", y0 + int(rng.integers(0, 300)), 126))
            for kind, begin, length in plans:
                finish = begin + (length - 1)
                if begin < first or finish > stop or any(not (finish < a or begin > b) for a, b in taken):
                    continue
                taken.append((begin, finish))
                leave_rows.append((e, kind, begin, finish))
            year += 1
    emp, kind, begin, finish = (np.array(c) for c in zip(*leave_rows, strict=True)) if leave_rows else [np.zeros(0)] * 4
    begin, finish = begin.astype("datetime64[D]"), finish.astype("datetime64[D]")
    requested = midnight(begin - np.timedelta64(14, "D")) + 10 * HOUR
    status = rng.choice(["APPROVED", "REJECTED", "CANCELLED"], len(emp), p=[0.9, 0.06, 0.04])
    status[kind == "sick"] = "APPROVED"
    status[requested + DAY > history.end_ts] = "PENDING"
    keep = requested <= history.end_ts
    history.leave = {
        "employee": emp[keep].astype(np.int64),
        "type": kind[keep],
        "start": begin[keep],
        "end": finish[keep],
        "status": status[keep],
        "requested": requested[keep],
    }

    # attendance: every working day of employment that is not an approved leave day
    days = np.arange(history.start, history.end + 1)
    working = days[kz_calendar.working_day_mask(days)]
    stop = np.where(np.isnat(history.termination), history.end, history.termination)
    grid = (working[None, :] >= history.hire[:, None]) & (working[None, :] <= stop[:, None])
    approved = history.leave["status"] == "APPROVED"
    for e, a, b in zip(
        history.leave["employee"][approved],
        history.leave["start"][approved],
        history.leave["end"][approved],
        strict=True,
    ):
        lo, hi = np.searchsorted(working, a), np.searchsorted(working, b, side="right")
        grid[e, lo:hi] = False
    emp_idx, day_idx = np.nonzero(grid)
    order = np.lexsort((emp_idx, day_idx))
    emp_idx, day_idx = emp_idx[order], day_idx[order]
    n = len(emp_idx)
    status = rng.choice(["PRESENT", "LATE", "HALF_DAY", "ABSENT"], n, p=[0.9, 0.06, 0.025, 0.015])
    check_in = (9 * 3600 + rng.normal(-600, 420, n)).astype(np.int64)
    late = status == "LATE"
    check_in[late] = 9 * 3600 + rng.integers(16 * 60, 100 * 60, late.sum())
    overtime = np.where((rng.random(n) < 0.08) & (status == "PRESENT"), rng.integers(1, 7, n) * 1800, 0)
    work = np.where(status == "HALF_DAY", 4 * 3600, 8 * 3600) + overtime
    check_out = check_in + work + np.where(status == "HALF_DAY", 0, 3600)  # one hour lunch break
    absent = status == "ABSENT"
    history.att = {
        "employee": emp_idx,
        "day": working[day_idx],
        "status": status,
        "in": check_in,
        "out": check_out,
        "hours": np.where(absent, 0, work),
        "overtime": overtime,
        "absent": absent,
    }
