"""The nightly metrics run: recompute what changed since the last run, not a fixed window.

Statement triggers on every table the metrics read (migration 20261207001200) record, per organization,
the earliest UTC day a written row can affect — its old and its new version, so inserts, updates, soft
and hard deletes and late data of any age are all seen. The nightly run:

1. claims the recorded changes of its organizations (`claim_changes`);
2. plans one window per organization (`plan_windows`): from the earliest affected local day (a day
   before the UTC day, for any time zone) — accumulated snapshots carry a change to every later day —,
   or the day after its last completed nightly run, whichever is earlier, to `last` (yesterday);
   organizations with the same first day form one group, computed set-based in one pass;
3. computes daily rows, rollups and KPIs per group (`metrics.isolated`: one organization's failure
   is its own);
4. deletes the claimed changes of the completed organizations and notes their last day
   (`finish`); a failed organization's changes are released for the next run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from prometric_pipelines.metrics.isolated import daily_isolated, kpis_isolated, rollup_isolated
from prometric_pipelines.metrics.periods import ROLLUPS
from prometric_pipelines.metrics.run import MetricsResult
from prometric_pipelines.monitoring.isolation import OrganizationFailure
from prometric_pipelines.sql import load_sql

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class NightlyWindow:
    """Organizations whose days first..last are recomputed together."""

    first: dt.date
    last: dt.date
    organizations: tuple[str, ...]

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass
class NightlyResult:
    windows: list[NightlyWindow]
    steps: dict[str, MetricsResult] = field(default_factory=dict)
    failures: list[OrganizationFailure] = field(default_factory=list)
    seconds: float = 0.0


def claim_changes(engine: Engine, run_key: str, organizations: list[str]) -> None:
    """Takes the recorded changes of the organizations for the run `run_key` (see module doc)."""
    with engine.begin() as conn:
        conn.execute(load_sql("metrics", "claim_changes"), {"run_key": run_key, "organization_ids": organizations})


def first_day(
    last: dt.date,
    floor: dt.date,
    first_change: dt.date | None,
    every_day: bool,
    first_stored: dt.date | None,
    last_completed: dt.date | None,
) -> dt.date:
    """The first day an organization's nightly window recomputes (see module doc).

    A change of a dimension every day reads (a product's cost, a time zone…) reaches back to the first
    stored daily row; nothing is computed before `floor` (the first daily partition)."""
    candidates = [last]
    if last_completed is not None:
        candidates.append(last_completed + ONE_DAY)
    if first_change is not None:
        candidates.append(first_change - ONE_DAY)  # the UTC day's local day may be the day before
    if every_day:
        candidates.append(first_stored or first_change or last)
    return max(min(candidates), floor)


def plan_windows(
    engine: Engine, run_key: str, last: dt.date, organizations: list[str], floor: dt.date
) -> list[NightlyWindow]:
    """The windows of the run's claimed changes: one per distinct first day, organizations sorted."""
    with engine.connect() as conn:
        rows = conn.execute(
            load_sql("metrics", "nightly_plan"), {"run_key": run_key, "organization_ids": organizations}
        ).all()
    groups: dict[dt.date, list[str]] = {}
    for organization, first_change, every_day, first_stored, last_completed in rows:
        first = first_day(last, floor, first_change, every_day, first_stored, last_completed)
        groups.setdefault(first, []).append(str(organization))
    return [NightlyWindow(first, last, tuple(sorted(orgs))) for first, orgs in sorted(groups.items())]


def finish(engine: Engine, run_key: str, last: dt.date, completed: list[str], failed: list[str]) -> None:
    """Completed organizations: their claimed changes deleted, `last` noted. Failed ones: released."""
    with engine.begin() as conn:
        if completed:
            conn.execute(load_sql("metrics", "finish_changes"), {"run_key": run_key, "organization_ids": completed})
            conn.execute(
                load_sql("metrics", "save_nightly_state"),
                {"run_key": run_key, "organization_ids": completed, "last": last},
            )
        if failed:
            conn.execute(load_sql("metrics", "release_changes"), {"run_key": run_key, "organization_ids": failed})


def _add(steps: dict[str, MetricsResult], name: str, result: MetricsResult) -> None:
    if name not in steps:
        steps[name] = result
        return
    total = steps[name]
    total.first, total.last = min(total.first, result.first), max(total.last, result.last)
    total.rows_written += result.rows_written
    total.rows_deleted += result.rows_deleted
    total.skipped += result.skipped
    total.kpi_failures += result.kpi_failures
    total.kpi_values_missing += result.kpi_values_missing
    total.seconds = round(total.seconds + result.seconds, 3)


def run_window_step(
    engine: Engine, step: str, windows: Iterable[NightlyWindow], skip: set[str], run_id: str
) -> tuple[MetricsResult | None, list[OrganizationFailure]]:
    """One metrics step (`daily`, a rollup period name, or `kpi`) over every window, leaving out `skip`."""
    steps: dict[str, MetricsResult] = {}
    failures: list[OrganizationFailure] = []
    for window in windows:
        organizations = [o for o in window.organizations if o not in skip]
        if not organizations:
            continue
        if step == "daily":
            result, failed = daily_isolated(engine, window.first, window.last, organizations, run_id)
        elif step == "kpi":
            result, failed = kpis_isolated(engine, window.first, window.last, organizations, run_id)
        else:
            period = next(p for p in ROLLUPS if p.name == step)
            result, failed = rollup_isolated(engine, period, window.first, window.last, organizations, run_id)
        _add(steps, step, result)
        failures += failed
    return steps.get(step), failures


def run_nightly(engine: Engine, last: dt.date, organizations: list[str], run_key: str, floor: dt.date) -> NightlyResult:
    """The whole nightly run without Dagster (the bench and tests; Dagster runs the same steps as assets)."""
    claim_changes(engine, run_key, organizations)
    result = NightlyResult(plan_windows(engine, run_key, last, organizations, floor))
    failed: set[str] = set()
    for step in ("daily", *(p.name for p in ROLLUPS), "kpi"):
        step_result, failures = run_window_step(engine, step, result.windows, failed, run_key)
        if step_result is not None:
            result.steps[step] = step_result
            result.seconds = round(result.seconds + step_result.seconds, 3)
        result.failures += failures
        failed |= {f.organization_id for f in failures}
    finish(engine, run_key, last, [o for o in organizations if o not in failed], sorted(failed))
    return result
