"""The state of one organization while its history is generated, and the draws every step shares.

Each simulation step (`generate/simulate/`) reads what earlier steps left here and adds its own
results; each table-building step (`generate/tables/`) turns them into rows. All of them draw from
the one seeded stream `rng`, in the order `org.py` calls them: that order is what makes a seed
reproduce the same data. Rows refer to each other by integer index until a table gives them ids.
Table families leave the ids they gave for the families after them (org_key, ws_ids, user_ids,
emp_ids, cust_ids and cust_names, prod_ids, wh_ids, inv_ids): `org.py` runs them in that order.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from prometric_pipelines.business_calendar import TIMEZONE_NAME
from prometric_pipelines.db.ids import to_ms, uuid7
from prometric_pipelines.generate.accounts import DEMO_ACCOUNTS, GUEST_MEMBERSHIPS, Guest
from prometric_pipelines.generate.arrays import DAY, Columns, as_day, concat, midnight
from prometric_pipelines.generate.scales import GenerateOptions


@dataclasses.dataclass
class Anomaly:
    kind: str
    description: str


class OrgState:
    """Organization number `ordinal` of a run: its seeded stream, its dates and what has been generated."""

    def __init__(
        self,
        options: GenerateOptions,
        ordinal: int,
        password_hashes: dict[str, str],
        guests: tuple[Guest, ...] = (),
    ) -> None:
        self.options = options
        self.guests = guests
        self.ordinal = ordinal
        self.rng = np.random.default_rng([options.seed, ordinal])
        self.start, self.end = as_day(options.start), as_day(options.end)
        self.start_ts = midnight(self.start)
        self.end_ts = midnight(self.end) + DAY - np.timedelta64(1, "s")  # as of the end of the last day
        self.size = float(np.clip(self.rng.lognormal(0, 0.35), 0.5, 2.2))
        self.password_hashes = password_hashes
        self.audit: list[Columns] = []
        self.anomalies: list[Anomaly] = []

    def demo_account_indexes(self) -> dict[int, str]:
        """User index → users.role of the demo sign-in accounts (used in the run's first organization)."""
        return {(self.investor if i < 0 else i): role for i, role in DEMO_ACCOUNTS.items()}

    def guests_for_next(self) -> tuple[Guest, ...]:
        """This organization's demo accounts as members of the next organization (GUEST_MEMBERSHIPS)."""
        return tuple(
            Guest(self.user_ids[i], self.user_created[i], *GUEST_MEMBERSHIPS[role])
            for i, role in self.demo_account_indexes().items()
        )

    def org_column(self, count: int) -> np.ndarray:
        """The organization's id, `count` times (a read-only view)."""
        return np.broadcast_to(np.full(1, self.org_key), (count,))

    def ids(self, local_times: np.ndarray) -> np.ndarray:
        return uuid7(self.rng, to_ms(self.utc(local_times)))

    def utc(self, local: np.ndarray) -> np.ndarray:
        index = pd.DatetimeIndex(np.asarray(local, dtype="datetime64[s]"))
        # Almaty moved from UTC+6 to UTC+5 at 2024-03-01 00:00, repeating 23:00-24:00 of 29 February:
        # such wall-clock times are read as the first (UTC+6) occurrence.
        earlier = np.ones(len(index), dtype=bool)
        utc = index.tz_localize(TIMEZONE_NAME, ambiguous=earlier, nonexistent="shift_forward").tz_convert("UTC")
        return utc.tz_localize(None).to_numpy().astype("datetime64[us]")

    def pick(self, values: list | np.ndarray, count: int, p: np.ndarray | None = None) -> np.ndarray:
        return np.asarray(values)[self.rng.choice(len(values), size=count, p=p)]

    def business_times(self, days: np.ndarray, night_share: float = 0.0) -> np.ndarray:
        """Local times on the given days: office hours, plus a share of online orders at any hour."""
        count = len(days)
        hours = np.clip(self.rng.normal(13.5, 2.8, count), 9.0, 19.9)
        online = self.rng.random(count) < night_share
        hours[online] = self.rng.uniform(0, 24, online.sum())
        return midnight(days) + (hours * 3600).astype("timedelta64[s]")

    def owned_columns(self, owners: np.ndarray, created: np.ndarray, last_change: np.ndarray) -> Columns:
        """The closing columns of a row its owner created and works on (customers, deals): assignedTo and
        createdBy, createdAt, and updatedAt at the last change (NaT: never changed since creation)."""
        return {
            "assignedTo": owners,
            "createdBy": owners,
            "createdAt": self.utc(created),
            "updatedAt": self.utc(np.where(np.isnat(last_change), created, last_change)),
        }

    def add_audit(
        self,
        action: str,
        entity: str,
        entity_ids: np.ndarray,
        user_idx: np.ndarray,
        local_times: np.ndarray,
        old: Any = None,
        new: Any = None,
        organization: bool = True,
    ) -> None:
        count = len(entity_ids)
        if count == 0:
            return
        self.audit.append(
            {
                "createdAt": np.asarray(local_times, dtype="datetime64[s]"),
                "organization": organization,
                "userIdx": np.asarray(user_idx, dtype=np.int64),
                "action": action,
                "entity": entity,
                "entityId": entity_ids,
                "oldValue": old,
                "newValue": new,
            }
        )

    def add_decisions(
        self, entity: str, entity_ids: np.ndarray, decider: int, local_times: np.ndarray, statuses: np.ndarray
    ) -> None:
        """Audit rows of pending requests (leaves, expenses) that user `decider` approved or rejected."""
        self.add_audit(
            "UPDATE",
            entity,
            entity_ids,
            np.full(len(entity_ids), decider, np.int64),
            local_times,
            old='{"status": "PENDING"}',
            new=concat('{"status": "', pa.array(statuses), '"}'),
        )
