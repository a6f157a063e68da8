"""Rows of attendance and leaves."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from prometric_pipelines.generate.arrays import DAY, HOUR, NAT, Columns, concat, midnight
from prometric_pipelines.generate.state import OrgState


def tables(history: OrgState) -> Iterator[tuple[str, Columns]]:
    org, ws_ids, user_ids, emp_ids = history.org_column, history.ws_ids, history.user_ids, history.emp_ids
    att = history.att
    n = len(att["day"])
    emp = att["employee"]
    stamp = midnight(att["day"]) + att["out"].astype("timedelta64[s]")
    stamp = np.where(att["absent"], midnight(att["day"]) + 18 * HOUR, stamp)
    in_time = pa.array(np.where(att["absent"], 0, att["in"]).astype(np.int32), pa.int32()).cast(pa.time32("s"))
    out_time = pa.array(np.where(att["absent"], 0, att["out"]).astype(np.int32), pa.int32()).cast(pa.time32("s"))
    absent_mask = pa.array(att["absent"])
    yield (
        "attendance",
        {
            "id": history.ids(stamp),
            "organizationId": org(n),
            "workspaceId": ws_ids[history.emp_ws[emp]],
            "employeeId": emp_ids[emp],
            "date": att["day"],
            "checkInTime": pc.if_else(absent_mask, pa.scalar(None, pa.time32("s")), in_time),
            "checkOutTime": pc.if_else(absent_mask, pa.scalar(None, pa.time32("s")), out_time),
            "totalHours": att["hours"] / 3600,
            "overtimeHours": att["overtime"] / 3600,
            "status": att["status"],
            "createdAt": history.utc(stamp),
            "updatedAt": history.utc(stamp),
        },
    )
    lv = history.leave
    m = len(lv["employee"])
    decided = lv["status"] != "PENDING"
    decided_at = np.where(decided, lv["requested"] + DAY, NAT)
    leave_ids = history.ids(lv["requested"])
    yield (
        "leaves",
        {
            "id": leave_ids,
            "organizationId": org(m),
            "workspaceId": ws_ids[history.emp_ws[lv["employee"]]],
            "employeeId": emp_ids[lv["employee"]],
            "type": lv["type"],
            "startDate": lv["start"],
            "endDate": lv["end"],
            "totalDays": ((lv["end"] - lv["start"]).astype(np.int64) + 1),
            "reason": lv["type"],
            "status": lv["status"],
            "approvedBy": np.where(lv["status"] == "APPROVED", user_ids[0], None).astype(object),
            "approvedAt": history.utc(np.where(lv["status"] == "APPROVED", decided_at, NAT)),
            "rejectionReason": np.where(lv["status"] == "REJECTED", "Пересечение с графиком отпусков", None).astype(
                object
            ),
            "createdAt": history.utc(lv["requested"]),
            "updatedAt": history.utc(np.where(decided, decided_at, lv["requested"])),
        },
    )
    history.add_audit(
        "CREATE",
        "leave",
        leave_ids,
        lv["employee"],
        lv["requested"],
        new=concat('{"type": "', pa.array(lv["type"]), '", "status": "PENDING"}'),
    )
    idx = np.flatnonzero(decided)
    history.add_decisions("leave", leave_ids[idx], 0, decided_at[idx], lv["status"][idx])
