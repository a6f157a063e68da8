"""Shared pieces of the failure-isolation scenarios: a real fault injected into PostgreSQL (a trigger
that raises for one organization's rows of a job's target table), and what a partial run recorded."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import dagster as dg
from sqlalchemy import text
from sqlalchemy.engine import Engine

FAULT_FUNCTION = "prometric_test_fault"


@contextlib.contextmanager
def fault(
    engine: Engine, table: str, organization_id: Any, when: str = "true", message: str = "injected fault"
) -> Iterator[None]:
    """A BEFORE INSERT OR UPDATE trigger on `table` raising `message` for the organization's rows matching
    `when` (an SQL condition over NEW); dropped on exit."""
    with engine.begin() as conn:
        conn.execute(
            text(f"""
            CREATE OR REPLACE FUNCTION {FAULT_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW."organizationId" = '{organization_id}'::uuid AND ({when}) THEN
                    RAISE EXCEPTION '{message}';
                END IF;
                RETURN NEW;
            END $$""")
        )
        conn.execute(
            text(f"""CREATE TRIGGER {FAULT_FUNCTION} BEFORE INSERT OR UPDATE ON "{table}"
                     FOR EACH ROW EXECUTE FUNCTION {FAULT_FUNCTION}()""")
        )
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP TRIGGER IF EXISTS {FAULT_FUNCTION} ON "{table}"'))
            conn.execute(text(f"DROP FUNCTION IF EXISTS {FAULT_FUNCTION}()"))


def owners(engine: Engine, organization_id: Any) -> list[str]:
    """The users who own the organization (who get its run_failure notifications)."""
    with engine.connect() as conn:
        return sorted(
            str(u)
            for u in conn.execute(
                text("""SELECT DISTINCT e."userId" FROM employees e JOIN users u ON u.id = e."userId"
                        WHERE e."organizationId" = :org AND e."organizationRole" = 'owner'
                          AND e."deletedAt" IS NULL AND coalesce(e.status, 'active') <> 'terminated'
                          AND u."deletedAt" IS NULL"""),
                {"org": organization_id},
            ).scalars()
        )


def notified(engine: Engine, run_id: str) -> list[tuple[str, list[str], str]]:
    """(user, organizations named, message) of the run's run_failure notifications."""
    with engine.connect() as conn:
        rows = conn.execute(
            text("""SELECT "userId", data -> 'organizationIds', message FROM notifications
                    WHERE category = 'run_failure' AND data ->> 'runId' = :run_id ORDER BY "userId" """),
            {"run_id": run_id},
        )
        return [(str(user), sorted(orgs), message) for user, orgs, message in rows]


def run_failure(result: dg.ExecuteInProcessResult) -> tuple[str, list[dict[str, Any]]]:
    """(description, failed_organizations) of the step failure that carries the partial list."""
    for event in result.all_events:
        if event.is_step_failure:
            data = event.step_failure_data.user_failure_data
            if data is not None and "failed_organizations" in data.metadata:
                return data.description, data.metadata["failed_organizations"].value
    raise AssertionError("no step failed with a failed_organizations list")


def check(result: dg.ExecuteInProcessResult, name: str) -> tuple[bool, list[dict[str, Any]], str]:
    """(passed, failed_organizations, description) of an asset check evaluated in the run."""
    evaluation = next(e for e in result.get_asset_check_evaluations() if e.check_name == name)
    return evaluation.passed, evaluation.metadata["failed_organizations"].value, evaluation.description or ""


def materialization_failures(result: dg.ExecuteInProcessResult, asset: str) -> list[dict[str, Any]]:
    event = next(m for m in result.get_asset_materialization_events() if m.asset_key.path == [asset])
    return event.materialization.metadata["failed_organizations"].value


def step_errors(result: dg.ExecuteInProcessResult) -> list[str]:
    """The failed steps' messages (for assertion messages)."""
    return [
        f"{e.step_key}: {e.step_failure_data.error.message if e.step_failure_data.error else ''}"
        for e in result.all_events
        if e.is_step_failure
    ]
