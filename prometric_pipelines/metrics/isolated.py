"""The metrics steps with failure isolation per organization (see monitoring/isolation.py).

Each step first runs as before: one set-based transaction for every organization of the run. When an
organization's data makes that transaction fail, the step is run again for halves of the
organizations, each half one transaction, down to the single organizations that fail alone; those are
rolled back and reported, every other organization is written. The rows written are the same as a
run of the clean organizations alone (each organization's rows depend only on its own data).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy.engine import Engine

from prometric_pipelines.metrics.periods import Period
from prometric_pipelines.metrics.run import (
    MetricsResult,
    compute_daily,
    compute_kpis,
    compute_rollup,
    run_organizations,
)
from prometric_pipelines.monitoring.isolation import OrganizationFailure, isolate, with_names


def resolve_organizations(engine: Engine, organization_ids: Iterable[str] | None) -> list[str]:
    """The run's organizations: those given (each must exist, else InvalidInput) or all of them."""
    with engine.connect() as conn:
        return run_organizations(conn, organization_ids)


def _add_skipped(total: list[dict[str, Any]], more: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Skip counts of two attempts, one entry per kind of skip (every key but `rows`)."""
    by_kind: dict[tuple, dict[str, Any]] = {}
    for entry in [*total, *more]:
        kind = tuple(sorted((k, str(v)) for k, v in entry.items() if k != "rows"))
        if kind in by_kind:
            by_kind[kind] = {**by_kind[kind], "rows": by_kind[kind]["rows"] + entry["rows"]}
        else:
            by_kind[kind] = dict(entry)
    return list(by_kind.values())


def _merge(results: list[MetricsResult], template: MetricsResult) -> MetricsResult:
    merged = template
    for result in results:
        merged.first, merged.last = result.first, result.last
        merged.rows_written += result.rows_written
        merged.rows_deleted += result.rows_deleted
        merged.skipped = _add_skipped(merged.skipped, result.skipped)
        merged.kpi_failures += result.kpi_failures
        merged.kpi_values_missing += result.kpi_values_missing
        merged.seconds += result.seconds
        for name, seconds in result.timings.items():
            merged.timings[name] = round(merged.timings.get(name, 0.0) + seconds, 3)
    merged.seconds = round(merged.seconds, 3)
    return merged


def _isolated(
    engine: Engine,
    step: str,
    period: str,
    first: dt.date,
    last: dt.date,
    organizations: list[str],
    attempt: Callable[[list[str]], MetricsResult],
) -> tuple[MetricsResult, list[OrganizationFailure]]:
    results, failures = isolate(organizations, attempt, step=step)
    return _merge(results, MetricsResult(period, first, last, len(organizations))), with_names(engine, failures)


def daily_isolated(
    engine: Engine,
    start: dt.date,
    end: dt.date,
    organizations: list[str],
    run_id: str = "",
    progress: Callable[[int, str], None] | None = None,
) -> tuple[MetricsResult, list[OrganizationFailure]]:
    """compute_daily for the organizations (ids already resolved), isolating those whose data fails.
    `progress` follows each attempt's steps (an isolating re-run reports its steps again)."""
    return _isolated(
        engine, "daily_metrics", "daily", start, end, organizations,
        lambda group: compute_daily(engine, start, end, group, run_id, progress),
    )  # fmt: skip


def rollup_isolated(
    engine: Engine, period: Period, start: dt.date, end: dt.date, organizations: list[str], run_id: str = ""
) -> tuple[MetricsResult, list[OrganizationFailure]]:
    """compute_rollup for the organizations, isolating those whose data fails."""
    first, last = period.touched(start, end)
    return _isolated(
        engine, f"{period.name}_metrics", period.name, first, last, organizations,
        lambda group: compute_rollup(engine, period, start, end, group, run_id),
    )  # fmt: skip


def kpis_isolated(
    engine: Engine, start: dt.date, end: dt.date, organizations: list[str], run_id: str = ""
) -> tuple[MetricsResult, list[OrganizationFailure]]:
    """compute_kpis for the organizations, isolating those whose data fails."""
    return _isolated(
        engine, "kpi_values", "kpi", start, end, organizations,
        lambda group: compute_kpis(engine, start, end, group, run_id),
    )  # fmt: skip
