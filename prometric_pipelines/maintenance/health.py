"""The database's health, hourly: the seed's monitoring queries (table sizes, index usage) plus unused
indexes, dead tuples, long-running queries and connection counts, kept as snapshots in the
`maintenance_health_*` tables (one transaction per snapshot; older snapshots pruned in it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Engine

from prometric_pipelines.sql import load_sql

DEFAULT_LONG_RUNNING_SECONDS = 300
DEFAULT_RETENTION_DAYS = 30
DEAD_RATIO_WORTH_A_LOOK = 0.10  # the vacuum job's default threshold


@dataclass(frozen=True)
class HealthReport:
    """One snapshot as stored: the snapshot row and its tables, indexes and long-running queries."""

    snapshot: dict[str, Any]
    tables: list[dict[str, Any]]
    indexes: list[dict[str, Any]]
    queries: list[dict[str, Any]]

    @property
    def unused_indexes(self) -> list[dict[str, Any]]:
        return [i for i in self.indexes if i["unused"]]

    @property
    def tables_with_dead_tuples(self) -> list[dict[str, Any]]:
        return sorted(
            (t for t in self.tables if t["dead_ratio"] >= DEAD_RATIO_WORTH_A_LOOK and t["dead_tuples"] > 0),
            key=lambda t: -t["dead_tuples"],
        )


def take_snapshot(
    engine: Engine,
    *,
    run_key: str,
    long_running_seconds: int = DEFAULT_LONG_RUNNING_SECONDS,
    retention_days: int = DEFAULT_RETENTION_DAYS,
    now: dt.datetime | None = None,
) -> HealthReport:
    """Writes one snapshot (and prunes those older than `retention_days`) in one transaction."""
    taken_at = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        snapshot_id = conn.execute(
            load_sql("maintenance", "health_insert_snapshot"),
            {"taken_at": taken_at, "run_key": run_key, "long_running_seconds": long_running_seconds},
        ).scalar_one()
        for part in ("tables", "indexes", "queries"):
            conn.execute(
                load_sql("maintenance", f"health_insert_{part}"),
                {"snapshot_id": snapshot_id, "long_running_seconds": long_running_seconds},
            )
        conn.execute(
            load_sql("maintenance", "health_prune"), {"keep_after": taken_at - dt.timedelta(days=retention_days)}
        )
    report = latest_report(engine, snapshot_id)
    assert report is not None  # just written
    return report


def latest_report(engine: Engine, snapshot_id: object | None = None) -> HealthReport | None:
    """The newest snapshot (or the one `snapshot_id` names), or None when there is none."""
    with engine.connect() as conn:
        return read_report(conn, snapshot_id)


def read_report(conn: Connection, snapshot_id: object | None = None, *, query_text: bool = True) -> HealthReport | None:
    """`latest_report` on an open connection. `query_text=False` leaves out the long-running queries' text:
    the reader login (the owners' Database page) has no grant on that column, which can hold any tenant's values."""
    snapshot = (
        conn.execute(load_sql("maintenance", "health_latest_snapshot"), {"snapshot_id": snapshot_id}).mappings().first()
    )
    if snapshot is None:
        return None
    params = {"snapshot_id": snapshot["id"]}
    names = {"tables": "tables", "indexes": "indexes", "queries": "queries" if query_text else "queries_without_text"}
    parts = {
        part: [dict(r) for r in conn.execute(load_sql("maintenance", f"health_snapshot_{name}"), params).mappings()]
        for part, name in names.items()
    }
    return HealthReport(dict(snapshot), parts["tables"], parts["indexes"], parts["queries"])
