"""The isolation helpers on their own: which errors are an organization's, the one-line reason, and how
few attempts the search for failing organizations takes (the happy path stays one set-based attempt)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from prometric_pipelines.monitoring.isolation import (
    OrganizationFailure,
    failure_reason,
    is_data_error,
    isolate,
    partial_summary,
    run_per_organization,
)

pytestmark = pytest.mark.faults

ORGS = [f"00000000-0000-0000-0000-{n:012d}" for n in range(16)]


class DataProblem(ValueError):
    pass


def attempts_for(bad: set[str]) -> tuple[list[list[str]], list[OrganizationFailure], list[list[str]]]:
    calls: list[list[str]] = []

    def attempt(group: list[str]) -> list[str]:
        calls.append(group)
        if bad & set(group):
            raise DataProblem(f"bad value in {sorted(bad & set(group))[0]}")
        return group

    results, failures = isolate(ORGS, attempt, step="daily_metrics")
    return results, failures, calls


def test_the_happy_path_is_one_attempt_over_every_organization():
    results, failures, calls = attempts_for(set())
    assert calls == [ORGS] and results == [ORGS] and failures == []


@pytest.mark.parametrize("bad", [{ORGS[5]}, {ORGS[0], ORGS[15]}, {ORGS[3], ORGS[4], ORGS[9]}])
def test_the_failing_organizations_are_found_and_every_other_one_committed_once(bad):
    results, failures, calls = attempts_for(bad)
    assert [f.organization_id for f in failures] == sorted(bad)
    assert all(f.step == "daily_metrics" and f.reason == f"bad value in {f.organization_id}" for f in failures)
    committed = [org for group in results for org in group]
    assert sorted(committed) == sorted(set(ORGS) - bad) and len(committed) == len(set(committed))
    # halving: at most 1 + 2·K·log2(N) attempts (16 organizations: 1 + 8 per bad one), far below N
    assert len(calls) <= 1 + 2 * len(bad) * 4


def test_a_platform_error_is_raised_not_isolated():
    def attempt(group: list[str]) -> None:
        raise ConnectionError("server closed the connection")

    with pytest.raises(ConnectionError):
        isolate(ORGS, attempt, step="x")
    with pytest.raises(ConnectionError):
        run_per_organization(ORGS, attempt, step="x")


def database_error(engine, sql: str) -> DBAPIError:
    with pytest.raises(DBAPIError) as caught, engine.connect() as conn:
        conn.execute(text(sql))
    return caught.value


def test_database_errors_are_classified_and_reduced_to_one_line(engine):
    overflow = database_error(engine, "SELECT CAST(99999999999999.99 AS numeric(15, 2))")
    assert is_data_error(overflow) and failure_reason(overflow) == "numeric field overflow"
    raised = database_error(engine, "DO $$ BEGIN RAISE EXCEPTION 'bad row %', 7; END $$")
    assert is_data_error(raised) and failure_reason(raised) == "bad row 7"
    duplicate = database_error(engine, "CREATE TEMP TABLE t (k int PRIMARY KEY); INSERT INTO t VALUES (1), (1)")
    assert is_data_error(duplicate) and failure_reason(duplicate) == (
        'duplicate key value violates unique constraint "t_pkey" (Key (k)=(1) already exists)'
    )
    missing = database_error(engine, "SELECT * FROM no_such_table")
    assert not is_data_error(missing)  # the platform's problem: fails the whole step


def test_python_data_errors_are_isolated_with_a_one_line_reason():
    assert is_data_error(RecursionError()) and "nested too deeply" in failure_reason(RecursionError())
    assert failure_reason(ValueError("first line\nsecond line")) == "first line"
    assert not is_data_error(ConnectionError())
    assert partial_summary(2, 5) == "partial: 2 of 5 organizations failed"
