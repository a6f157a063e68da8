"""Alerts from the nightly metrics: unusual daily values (anomalies) and KPIs off their target.

An anomaly is a daily metric value far from the same weekday of the trailing weeks: the baseline is
the median of those weeks' values and the spread their median absolute deviation (MAD), both robust
to the odd past spike. A value is an alert when all of these hold (docs/alerts.md, "Method"):

* at least `min_history` comparable weeks (a new shop or metric is not judged);
* |value − median| ≥ the metric's minimum absolute change (5 orders, 50,000 KZT …) and ≥ 50 % of
  the median (a small shop's noise is not news);
* robust z = |value − median| / spread ≥ 8 (spread = 1.4826 × MAD, floored as the docs say);
* outside everything the 8 weeks have seen: a flow rises to ≥ 2 × their highest day (only rises: a
  lumpy flow's near-empty day is not news), a snapshot is a new 8-week high or low.

Severe: z ≥ 12 and ≥ 3 × the 8 weeks' highest day (or ≤ a third of their lowest); else warning.
A candidate whose metric was a candidate in the same direction in the 14 days before is the same
event and not alerted again. Kazakhstan's public holidays (kz_calendar) are neither judged nor part of
a baseline. Metrics without a weekly pattern (deal pipelines, monthly restocking) are not judged.

A KPI alert is a metrics row with a target (a KPI formula or a catalog metric named by a KPI
definition) whose period closed in the window and whose value is off the target by more than the
KPI's tolerance (organizations.settings.alerts.kpi.<name>.tolerancePct, default 10 %).

Each organization is one transaction: alerts of the window are upserted on their key (an alert seen
again keeps its id and acknowledgement) and those no longer found are removed. One organization's
failure is its own (`run_per_organization`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Connection, Engine

from prometric_pipelines import kz_calendar
from prometric_pipelines.alerts.wording import anomaly_sentences, kpi_sentences
from prometric_pipelines.metrics.catalog import CATALOG
from prometric_pipelines.metrics.run import run_organizations
from prometric_pipelines.monitoring.isolation import OrganizationFailure, run_per_organization, with_names
from prometric_pipelines.sql import load_sql

COUNT_METRICS = (
    "orders_count", "orders_cancelled", "active_customers", "new_customers", "deals_created", "deals_won",
    "deals_lost", "out_of_stock_products", "low_stock_products", "production_orders_completed", "headcount",
    "employees_on_leave", "tasks_created", "tasks_completed", "tasks_overdue",
)  # fmt: skip
PERCENT_METRICS = ("win_rate", "attendance_rate")
QUANTITY_METRICS = ("production_completed_quantity", "overtime_hours")
# the smallest change worth telling, per metric; everything else is money (KZT)
MINIMUM_CHANGES: dict[str, float] = {
    **dict.fromkeys(COUNT_METRICS, 5.0),
    **dict.fromkeys(PERCENT_METRICS, 15.0),
    **dict.fromkeys(QUANTITY_METRICS, 10.0),
}
MINIMUM_MONEY_CHANGE = 50_000.0
# levels at the end of the day: their spread is the same weekday's only (a trend is not noise)
SNAPSHOT_METRICS = [m.name for m in CATALOG if m.kind == "snapshot"]
# received − paid crosses zero from day to day (payments_received and payments_made are judged
# instead); the deal pipelines step when one large deal opens or closes, and goods arrive on the 1st
# of the month: a same-weekday baseline says nothing about these (docs/alerts.md, "False alarms")
NOT_JUDGED = frozenset({"net_cash_flow", "pipeline_value", "weighted_pipeline_value", "stock_received_value"})


@dataclass(frozen=True)
class AnomalySettings:
    """The thresholds of docs/alerts.md (the false-alarm rate there was measured with these)."""

    weeks: int = 8
    min_history: int = 6
    warning_z: float = 8.0
    severe_z: float = 12.0
    min_relative_change: float = 0.5
    flow_peak_factor: float = 2.0  # a flow must reach this × the highest day of the weeks
    severe_peak_factor: float = 3.0  # severe: this × the highest day (or a this-th of the lowest)
    same_event_days: int = 14  # a candidate this many days after one of the same direction is that event
    relative_floor: float = 0.1
    default_minimum_change: float = MINIMUM_MONEY_CHANGE
    minimum_changes: dict[str, float] = field(default_factory=lambda: dict(MINIMUM_CHANGES))
    kpi_tolerance_pct: float = 10.0


@dataclass
class AlertsResult:
    first: dt.date
    last: dt.date
    organizations: int = 0
    by_kind: Counter = field(default_factory=Counter)
    by_severity: Counter = field(default_factory=Counter)
    removed: int = 0
    severe: list[str] = field(default_factory=list)  # one line per severe alert (the asset check)

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())


def holidays_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Kazakhstan's weekday days off in first..last (years outside the calendar contribute none)."""
    days: list[dt.date] = []
    for year in range(first.year, last.year + 1):
        try:
            days.extend(d for d in kz_calendar.holidays(year) if first <= d <= last)
        except ValueError:
            continue
    return sorted(days)


def _severity(robust_z: Decimal | None, row: dict[str, Any], settings: AnomalySettings) -> str:
    big_z = robust_z is None or robust_z >= Decimal(str(settings.severe_z))
    factor = Decimal(str(settings.severe_peak_factor))
    if row["change"] > 0:
        far_out = row["value"] >= factor * row["recent_high"]
    else:
        far_out = row["recent_low"] > 0 and row["value"] * factor <= row["recent_low"]
    return "severe" if big_z and far_out else "warning"


def anomaly_alerts(
    conn: Connection, organization_id: str, first: dt.date, last: dt.date, settings: AnomalySettings
) -> list[dict[str, Any]]:
    """The anomaly alerts of one organization for the days first..last (rows for upsert_workspace_alerts)."""
    # same_event_days more in front: an unusual value that follows one of the same direction is that event
    lookback = dt.timedelta(days=settings.same_event_days)
    rows = conn.execute(
        load_sql("alerts", "anomaly_candidates"),
        {
            "organization_id": organization_id,
            "first": first - lookback,
            "last": last,
            "holidays": holidays_between(first - lookback - dt.timedelta(weeks=settings.weeks), last),
            "weeks": settings.weeks,
            "min_history": settings.min_history,
            "warning_z": settings.warning_z,
            "min_relative_change": settings.min_relative_change,
            "flow_peak_factor": settings.flow_peak_factor,
            "relative_floor": settings.relative_floor,
            "minimum_changes": json.dumps(settings.minimum_changes),
            "default_minimum_change": settings.default_minimum_change,
            "snapshot_names": SNAPSHOT_METRICS,
        },
    ).mappings()
    # an off day (usual value 0) is not judged; a difference of two flows is judged through its parts
    candidates = [dict(r) for r in rows if r["median"] != 0 and r["name"] not in NOT_JUDGED]
    seen = {(r["workspace_id"], r["name"], r["day"], r["change"] > 0) for r in candidates}
    alerts = []
    for row in candidates:
        same_event = any(
            (row["workspace_id"], row["name"], row["day"] - dt.timedelta(days=back), row["change"] > 0) in seen
            for back in range(1, settings.same_event_days + 1)
        )
        if row["day"] < first or same_event:
            continue
        median = Decimal(row["median"]).quantize(Decimal("0.01"))
        change = Decimal(row["change"]).quantize(Decimal("0.01"))
        robust_z = None if row["robust_z"] is None else Decimal(row["robust_z"]).quantize(Decimal("0.01"))
        english, russian = anomaly_sentences(row["name"], row["day"], row["value"], median, row["weeks"])
        alerts.append(
            {
                "workspace_id": str(row["workspace_id"]),
                "kind": "anomaly",
                "subject": row["name"],
                "day": row["day"].isoformat(),
                "value": str(row["value"]),
                "baseline": str(median),
                "severity": _severity(robust_z, row, settings),
                "explanation": english,
                "explanation_ru": russian,
                "details": {
                    "period": "daily",
                    "median": str(median),
                    "mad": str(Decimal(row["mad"]).quantize(Decimal("0.01"))),
                    "weeks": row["weeks"],
                    "robust_z": None if robust_z is None else str(robust_z),
                    "change": str(change),
                    "direction": "up" if change > 0 else "down",
                    "recent_high": str(row["recent_high"]),
                    "recent_low": str(row["recent_low"]),
                },
            }
        )
    return alerts


def kpi_target_alerts(
    conn: Connection, organization_id: str, first: dt.date, last: dt.date, settings: AnomalySettings
) -> list[dict[str, Any]]:
    """KPIs of one organization off target for a period that closed on a day of first..last."""
    rows = conn.execute(
        load_sql("alerts", "kpi_target_candidates"),
        {
            "organization_id": organization_id,
            "first": first,
            "last": last,
            "default_tolerance_pct": settings.kpi_tolerance_pct,
        },
    ).mappings()
    alerts = []
    for row in rows:
        deviation, tolerance = Decimal(row["deviation_pct"]), Decimal(row["tolerance_pct"])
        english, russian = kpi_sentences(
            row["name"], row["period"], row["day"], row["value"], row["target"], deviation, tolerance
        )
        alerts.append(
            {
                "workspace_id": str(row["workspace_id"]),
                "kind": "kpi_target",
                "subject": f"{row['name']}/{row['period']}",
                "day": row["day"].isoformat(),
                "value": str(row["value"]),
                "baseline": str(row["target"]),
                "severity": "severe" if abs(deviation) > 3 * tolerance else "warning",
                "explanation": english,
                "explanation_ru": russian,
                "details": {
                    "period": row["period"],
                    "period_end": row["period_end"].isoformat(),
                    "target": str(row["target"]),
                    "deviation_pct": str(deviation),
                    "tolerance_pct": str(tolerance),
                    "direction": row["direction"],
                },
            }
        )
    return alerts


def write_alerts(
    conn: Connection, organization_id: str, kind: str, first: dt.date, last: dt.date, alerts: list[dict[str, Any]]
) -> int:
    """Upserts the organization's alerts of `kind` for first..last and removes those of the window no
    longer found (a KPI alert belongs to the day its period closed). Returns how many were removed."""
    payload = json.dumps(alerts)
    conn.execute(load_sql("alerts", "upsert_workspace_alerts"), {"organization_id": organization_id, "alerts": payload})
    return conn.execute(
        load_sql("alerts", "delete_stale_alerts"),
        {"organization_id": organization_id, "kind": kind, "first": first, "last": last, "alerts": payload},
    ).rowcount


def detect_alerts(
    engine: Engine,
    first: dt.date,
    last: dt.date,
    organization_ids: list[str] | None = None,
    settings: AnomalySettings | None = None,
) -> tuple[AlertsResult, list[OrganizationFailure]]:
    """Anomaly and KPI-target alerts of the days first..last for the organizations (all when None)."""
    settings = settings or AnomalySettings()
    with engine.connect() as conn:
        organizations = run_organizations(conn, organization_ids)
    result = AlertsResult(first, last, len(organizations))

    def one(organization_id: str | None) -> list[dict[str, Any]]:
        assert organization_id is not None
        with engine.begin() as conn:
            anomalies = anomaly_alerts(conn, organization_id, first, last, settings)
            kpis = kpi_target_alerts(conn, organization_id, first, last, settings)
            removed = write_alerts(conn, organization_id, "anomaly", first, last, anomalies)
            removed += write_alerts(conn, organization_id, "kpi_target", first, last, kpis)
        result.removed += removed
        return anomalies + kpis

    written, failures = run_per_organization(organizations, one, step="metric_alerts")
    for alerts in written:
        for alert in alerts:
            result.by_kind[alert["kind"]] += 1
            result.by_severity[alert["severity"]] += 1
            if alert["severity"] == "severe":
                result.severe.append(f"{alert['day']} {alert['subject']}: {alert['explanation']}")
    return result, with_names(engine, failures)
