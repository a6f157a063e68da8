"""Checks of what a daily metrics run wrote (specs/metrics.md: row counts per workspace, no duplicate
keys, orders_revenue reconciled against a direct SUM). Plain functions over a connection."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine

from prometric_pipelines.business_calendar import TIMEZONE_NAME
from prometric_pipelines.metrics.catalog import DAILY_METRICS
from prometric_pipelines.metrics.run import run_organizations
from prometric_pipelines.sql import load_sql

SPINE_NAMES = [m.name for m in DAILY_METRICS if m.kind in ("flow", "snapshot", "distinct")]


@dataclass
class DailyChecks:
    incomplete_workspaces: list[dict[str, Any]]
    duplicate_keys: int
    revenue_mismatches: list[dict[str, Any]]


def check_daily(engine: Engine, first: dt.date, last: dt.date, organization_ids: list[str] | None) -> DailyChecks:
    with engine.begin() as conn:
        orgs = run_organizations(conn, organization_ids)
        conn.execute(
            load_sql("metrics", "create_run_organizations"), {"organization_ids": orgs, "default_zone": TIMEZONE_NAME}
        )
        window = {"organization_ids": orgs, "first": first, "last": last}
        incomplete = conn.execute(
            load_sql("metrics", "check_row_counts"),
            {**window, "names": SPINE_NAMES, "expected_per_day": len(SPINE_NAMES)},
        )
        duplicates = conn.execute(load_sql("metrics", "check_duplicate_keys"), window).scalar_one()
        revenue = conn.execute(load_sql("metrics", "check_revenue"), window)
        return DailyChecks(
            incomplete_workspaces=[dict(r._mapping) for r in incomplete],
            duplicate_keys=duplicates,
            revenue_mismatches=[{k: str(v) for k, v in r._mapping.items()} for r in revenue],
        )
