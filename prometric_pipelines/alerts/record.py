"""Organization-wide alerts from operations: a run that failed, a partition that is not fresh.

They land in `alerts` like the metric alerts (workspace NULL), one per (organization, kind, subject,
day): a second failure of the same job on the same day updates the first alert's words.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Connection

from prometric_pipelines.sql import load_sql


def record_organization_alert(
    conn: Connection,
    organization_ids: Sequence[str],
    *,
    kind: str,
    subject: str,
    day: dt.date,
    severity: str,
    explanation: str,
    explanation_ru: str,
    details: dict[str, Any],
    value: float | None = None,
    baseline: float | None = None,
) -> int:
    """Upserts the same alert for each organization (in the caller's transaction); returns how many rows."""
    if not organization_ids:
        return 0
    return len(
        conn.execute(
            load_sql("alerts", "upsert_organization_alerts"),
            {
                "organization_ids": list(organization_ids),
                "kind": kind,
                "subject": subject,
                "day": day,
                "value": value,
                "baseline": baseline,
                "severity": severity,
                "explanation": explanation,
                "explanation_ru": explanation_ru,
                "details": json.dumps(details),
            },
        ).all()
    )


def record_run_failure(
    conn: Connection,
    organization_ids: Sequence[str],
    *,
    job_name: str,
    run_id: str,
    step: str,
    error: str,
    day: dt.date,
) -> int:
    where = f" at step {step}" if step else ""
    where_ru = f" на шаге {step}" if step else ""
    return record_organization_alert(
        conn,
        organization_ids,
        kind="run_failure",
        subject=job_name,
        day=day,
        severity="severe",
        explanation=f"The {job_name} run {run_id[:8]} failed{where}: {error}",
        explanation_ru=f"Запуск {job_name} ({run_id[:8]}) завершился ошибкой{where_ru}: {error}",
        details={"run_id": run_id, "step": step, "error": error},
    )


def record_stale_partition(conn: Connection, asset: str, partition: str, day: dt.date) -> int:
    """A freshness alert for every organization (the asset's partitions serve them all)."""
    organizations = [str(r[0]) for r in conn.execute(load_sql("metrics", "organizations"))]
    return record_organization_alert(
        conn,
        organizations,
        kind="freshness",
        subject=asset,
        day=day,
        severity="warning",
        explanation=f"{asset} for {partition} is not computed yet: the figures of that day are missing or old.",
        explanation_ru=f"{asset} за {partition} ещё не рассчитан: данные за этот день отсутствуют или устарели.",
        details={"asset": asset, "partition": partition},
    )
