"""Alerts for failed runs: which organizations a run concerned, and a notification for their owners.

Plain Python + SQL (sql/monitoring/); the Dagster sensor in defs/monitoring calls it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.engine import Engine

from prometric_pipelines.alerts.record import record_run_failure
from prometric_pipelines.business_calendar import business_today
from prometric_pipelines.monitoring.isolation import FAILED_ORGANIZATIONS, OrganizationFailure, failures_from_json
from prometric_pipelines.sql import load_sql
from prometric_pipelines.validation import InvalidInput, parse_uuid

# A per-organization run (defs/monitoring/fanout.py) names its organization in this tag.
ORGANIZATION_TAG = "prometric/organization"
NOTIFICATION_CATEGORY = "run_failure"


@dataclass(frozen=True)
class FailedRun:
    run_id: str
    job_name: str
    step: str  # the failing step, or "" when the run failed before any step
    error: str  # one line

    @property
    def title(self) -> str:
        return f"Job {self.job_name} failed"[:255]

    @property
    def message(self) -> str:
        where = f" at step {self.step}" if self.step else ""
        return f"Run {self.run_id}{where}: {self.error}"


@dataclass(frozen=True)
class NotificationResult:
    organization_ids: list[str]
    organizations_from_run: bool  # False: the run named none, so every organization is concerned
    owners_notified: int

    def summary(self, run: FailedRun) -> str:
        scope = (
            f"{len(self.organization_ids)} organization(s) of the run"
            if self.organizations_from_run
            else f"all {len(self.organization_ids)} organization(s)"
        )
        where = f"run {run.run_id[:8]}, {run.step or 'no step'}"
        return f"{run.title} ({where}): {run.error} — notified {self.owners_notified} owner(s) of {scope}"


def organizations_in_run(run_config: Mapping[str, Any] | None, tags: Mapping[str, str] | None) -> list[str] | None:
    """The organization ids a run was limited to (any `organization_ids` in its op config, or the
    per-organization tag), sorted; None when it named none (it ran for all organizations).

    Values that are not UUIDs are ignored: such a run failed on its config and concerned nobody in particular.
    """
    found: set[str] = set()
    for value in _values_named("organization_ids", run_config or {}):
        for item in value if isinstance(value, list) else []:
            found.update(_valid_uuids([item]))
    if tags and tags.get(ORGANIZATION_TAG):
        found.update(_valid_uuids(tags[ORGANIZATION_TAG].split(",")))
    return sorted(found) or None


def failed_organizations(events: Iterable[Any]) -> list[OrganizationFailure]:
    """The organizations the run's partial failures name (the `failed_organizations` metadata of a step's
    `dagster.Failure`, monitoring/isolation.py); empty for any other failure."""
    found: dict[tuple[str | None, str], OrganizationFailure] = {}
    for event in events:
        if not getattr(event, "is_step_failure", False):
            continue
        data = event.step_failure_data.user_failure_data
        value = data.metadata.get(FAILED_ORGANIZATIONS) if data is not None else None
        for failure in failures_from_json(value.value if value is not None else None):
            found[(failure.organization_id, failure.step)] = failure
    return list(found.values())


def _values_named(key: str, tree: Any) -> Iterable[Any]:
    if isinstance(tree, Mapping):
        for name, value in tree.items():
            if name == key:
                yield value
            else:
                yield from _values_named(key, value)


def _valid_uuids(values: Iterable[Any]) -> list[str]:
    valid = []
    for value in values:
        try:
            valid.append(parse_uuid(str(value).strip(), "organization"))
        except InvalidInput:
            continue
    return valid


def notify_owners(engine: Engine, run: FailedRun, organization_ids: list[str] | None) -> NotificationResult:
    """Writes one `notifications` row per owner of the organizations (all when None: only an operator's
    explicit choice; the sensor never passes None), at most once per run and owner; one transaction,
    serialised per run by an advisory lock."""
    statement = load_sql("monitoring", "notify_owners").bindparams(
        bindparam("organization_ids", type_=ARRAY(UUID(as_uuid=False)))
    )
    with engine.begin() as conn:
        conn.execute(load_sql("monitoring", "lock_run_notifications"), {"run_id": run.run_id})
        ids = organization_ids or [str(r[0]) for r in conn.execute(load_sql("monitoring", "all_organizations"))]
        inserted = conn.execute(
            statement,
            {
                "organization_ids": ids,
                "run_id": run.run_id,
                "job_name": run.job_name,
                "step": run.step,
                "title": run.title,
                "message": run.message,
            },
        ).fetchall()
        # the same failure in the one model of alerts (the dashboards' Alerts page), per organization
        record_run_failure(
            conn, ids, job_name=run.job_name, run_id=run.run_id, step=run.step, error=run.error, day=business_today()
        )
    return NotificationResult(
        organization_ids=ids, organizations_from_run=organization_ids is not None, owners_notified=len(inserted)
    )


def notify_failed_organizations(engine: Engine, run_id: str, job_name: str, failures: list[OrganizationFailure]) -> int:
    """A `run_failure` notification to the owners of each failed organization, about that organization
    only (never to another tenant, never for rows without organization); at most once per run and owner."""
    notified = 0
    for failure in failures:
        if not failure.organization_id:
            continue
        run = FailedRun(run_id=run_id, job_name=job_name, step=failure.step, error=failure.reason)
        notified += notify_owners(engine, run, [failure.organization_id]).owners_notified
    return notified
