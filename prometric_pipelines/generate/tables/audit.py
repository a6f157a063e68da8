"""Rows of the audit log: every change the other tables recorded, in time order."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from prometric_pipelines.generate import catalog
from prometric_pipelines.generate.arrays import Columns, as_text, concat
from prometric_pipelines.generate.state import OrgState


def audit_columns(history: OrgState) -> Columns:
    """The audit log's columns from the parts every table family recorded (`OrgState.add_audit`)."""
    org_id = history.org_key
    user_ids = history.user_ids
    parts = history.audit
    created = np.concatenate([p["createdAt"] for p in parts])
    order = np.argsort(created, kind="stable")
    n = len(created)

    def column(key: str) -> pa.Array:
        arrays = []
        for p in parts:
            value, size = p[key], len(p["createdAt"])
            if value is None:
                arrays.append(pa.nulls(size, pa.string()))
            elif isinstance(value, str):
                arrays.append(pa.array(np.full(size, value), pa.string()))
            else:
                arrays.append(as_text(value))
        return pa.concat_arrays(arrays).take(pa.array(order))

    org_flag = np.concatenate([np.full(len(p["createdAt"]), p["organization"]) for p in parts])[order]
    users = np.concatenate([p["userIdx"] for p in parts])[order]
    entity_ids = np.concatenate([p["entityId"] for p in parts])[order]
    created = created[order]
    return {
        "id": history.ids(created),
        "organizationId": np.where(org_flag, org_id, None).astype(object),
        "userId": user_ids[users],
        "action": column("action"),
        "entity": column("entity"),
        "entityId": entity_ids,
        "oldValue": column("oldValue"),
        "newValue": column("newValue"),
        "ipAddress": concat(f"10.{history.ordinal % 250}.", pa.array(users % 250), ".", pa.array(users % 200 + 1)),
        "userAgent": history.pick(catalog.USER_AGENTS, n),
        "createdAt": history.utc(created),
    }


def tables(history: OrgState) -> Iterator[tuple[str, Columns]]:
    yield "audit_logs", audit_columns(history)
