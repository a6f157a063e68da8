"""Dagster side of failure isolation per organization (the plain part is monitoring/isolation.py).

A job asset that rolled some organizations back
1. yields its MaterializeResult for the others, with `failed_organizations` in its metadata and the
   `<asset>_organizations_completed` check failing with their names;
2. notifies each failed organization's owners (`run_failure`, that organization only);
3. raises the contract's `Failure("partial: K of N organizations failed")` — unless a later step of
   the same run goes on for the other organizations (the metrics rollups and KPIs after the daily
   rows): then the last step raises, for every organization the run rolled back.
"""

from __future__ import annotations

from collections.abc import Iterable

import dagster as dg
from sqlalchemy.engine import Engine

from prometric_pipelines.monitoring.failures import notify_failed_organizations
from prometric_pipelines.monitoring.isolation import (
    FAILED_ORGANIZATIONS,
    OrganizationFailure,
    failures_from_json,
    partial_failure,
)


def steps_in_run(context: dg.AssetExecutionContext) -> set[str]:
    """The step keys this run executes (an asset job's step key is its asset's op name)."""
    nodes = {node.name for node in context.job_def.nodes}
    selected = context.run.step_keys_to_execute
    return nodes & set(selected) if selected else nodes


def earlier_failures(context: dg.AssetExecutionContext) -> list[OrganizationFailure]:
    """The organizations earlier steps of this run rolled back (from their materialization metadata)."""
    found: list[OrganizationFailure] = []
    records = context.instance.all_logs(context.run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
    for record in records:
        materialization = record.asset_materialization
        value = materialization.metadata.get(FAILED_ORGANIZATIONS) if materialization else None
        if value is not None:
            found += failures_from_json(value.value)
    return found


def report_failures(
    context: dg.AssetExecutionContext,
    engine: Engine,
    failures: list[OrganizationFailure],
    total: int,
    *,
    later_steps: Iterable[str] = (),
) -> None:
    """Steps 2 and 3 above; call after the MaterializeResult of the organizations that completed."""
    for failure in failures:
        context.log.error(failure.line())
    if failures:
        notify_failed_organizations(engine, context.run.run_id, context.job_def.name, failures)
    if set(later_steps) & steps_in_run(context):
        return  # a later step of this run raises for every failed organization
    everything = {(f.organization_id, f.step): f for f in [*earlier_failures(context), *failures]}
    if everything:
        raise partial_failure(list(everything.values()), total)
