"""Run-failure alerts: the owners of the organizations a failed run concerned get a notification
(docs/operations.md: who is told what)."""

import dagster as dg
from dagster._core.storage.tags import WILL_RETRY_TAG

from prometric_pipelines.lib.resources import PostgresResource
from prometric_pipelines.monitoring.failures import (
    FailedRun,
    failed_organizations,
    notify_failed_organizations,
    notify_owners,
    organizations_in_run,
)
from prometric_pipelines.run_failures import first_step_failure


@dg.run_failure_sensor(
    name="run_failure_notifications",
    # Alerts are wanted wherever the daemon runs; a failed run is the only thing that makes it write.
    default_status=dg.DefaultSensorStatus.RUNNING,
    # `prometric run …` executes in-process: those runs carry no code-location origin, and only this
    # setting makes the daemon's sensor see them. The instance hosts this one code location.
    monitor_all_code_locations=True,
    description=(
        "A failed run (that will not be retried) → `notifications` rows (category run_failure), never twice "
        "per run and owner: a partial run → the owners of each failed organization, about that organization; "
        "a run limited to organizations (organization_ids) → their owners; a run for all organizations that "
        "failed as a whole (a platform failure) → no tenant (the operators see it in Dagster)."
    ),
)
def run_failure_notifications(context: dg.RunFailureSensorContext, postgres: PostgresResource) -> None:
    run = context.dagster_run
    if run.tags.get(WILL_RETRY_TAG) == "true":
        # the daemon launches it again (run_retries); its last attempt is the one that alerts
        context.log.info(f"run {run.run_id[:8]} of {run.job_name} failed and will be retried: no notification yet")
        return
    step_failures = context.get_step_failure_events()
    partial = failed_organizations(step_failures)
    if partial:
        # the steps notified already (same rows: at most one per run and owner); this covers a crash between
        notified = notify_failed_organizations(postgres.get_engine(), run.run_id, run.job_name, partial)
        context.log.info(
            f"run {run.run_id[:8]} of {run.job_name}: {len(partial)} organization(s) failed; "
            f"notified {notified} more owner(s) of those organizations only"
        )
        return
    step, error = first_step_failure(step_failures)
    failed = FailedRun(
        run_id=run.run_id,
        job_name=run.job_name,
        step=step,
        error=error or (context.failure_event.message or "the run failed").splitlines()[0],
    )
    organizations = organizations_in_run(run.run_config, run.tags)
    if organizations is None:
        context.log.warning(
            f"{failed.title} for all organizations (platform failure): {failed.error} — no tenant notified"
        )
        return
    result = notify_owners(postgres.get_engine(), failed, organizations)
    context.log.info(result.summary(failed))
