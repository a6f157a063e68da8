"""Failure isolation per organization: one organization's bad data never stops the others.

A job step that works for several organizations keeps its fast path — one set-based transaction for
all of them — and only when that transaction fails on an organization's data does it look for the
culprits: `isolate()` splits the organizations in halves and runs each half in a transaction of its
own, down to single organizations. Halves that succeed are committed; an organization that fails
alone is rolled back alone and recorded (`OrganizationFailure`) with a one-line reason. With K bad
organizations out of N the extra work is about K·log2(N) partial passes instead of N.

Jobs that already work one organization per transaction (payroll with a savepoint each, stock
reconciliation, audit archival) call `run_per_organization()` instead.

Only errors caused by data are isolated (`is_data_error`): a value out of range, a constraint, a
raised exception in a trigger, a malformed value met in Python. A lost connection, a missing table,
a permission or a cancelled statement is the platform's failure: it fails the whole step as before.

After the step has written every organization that succeeded (and logged their materialization),
`partial_failure()` builds the `dagster.Failure` that makes the run FAILURE with the list of failed
organizations in its metadata; `failures.notify_failed_organizations()` tells each failed organization's owners
(and only them) why.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

from sqlalchemy import bindparam
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from prometric_pipelines.sql import load_sql

T = TypeVar("T")

FAILED_ORGANIZATIONS = "failed_organizations"  # metadata key (contract with the CLI)
COMPLETED_ORGANIZATIONS = "completed_organizations"
# SQLSTATE classes of errors caused by the rows a statement met: 22 data exception (overflow,
# invalid text), 23 integrity constraint violation, P0 PL/pgSQL raise (a trigger's RAISE EXCEPTION).
_DATA_SQLSTATE_CLASSES = ("22", "23", "P0")
# Python errors a domain computation raises on malformed values (deeply nested JSON included).
_DATA_PYTHON_ERRORS = (ArithmeticError, ValueError, LookupError, TypeError, RecursionError)


@dataclass(frozen=True)
class OrganizationFailure:
    """One organization a step rolled back, with the reason a person understands."""

    organization_id: str | None  # None: the platform's own rows (e.g. audit rows without organization)
    organization_name: str | None
    step: str
    reason: str

    def line(self) -> str:
        """`<step>: <organization name> (<id>): <reason>`, as the run report prints it."""
        who = f"{self.organization_name} ({self.organization_id})" if self.organization_name else self.organization_id
        return f"{self.step}: {who or 'rows without organization'}: {self.reason}"


def is_data_error(error: BaseException) -> bool:
    """True when the error comes from the data an organization holds, not from the platform."""
    if isinstance(error, DBAPIError):
        sqlstate = getattr(error.orig, "sqlstate", None) or ""
        return sqlstate[:2] in _DATA_SQLSTATE_CLASSES
    sqlstate = getattr(error, "sqlstate", None)  # a psycopg error raised outside SQLAlchemy
    if isinstance(sqlstate, str):
        return sqlstate[:2] in _DATA_SQLSTATE_CLASSES
    return isinstance(error, _DATA_PYTHON_ERRORS)


def failure_reason(error: BaseException) -> str:
    """One line: the database's primary message plus the key when it names one, else the first line
    of the error's message; never a traceback."""
    original = error.orig if isinstance(error, DBAPIError) else error
    diagnostic = getattr(original, "diag", None)
    primary = getattr(diagnostic, "message_primary", None)
    if primary:
        detail = getattr(diagnostic, "message_detail", None) or ""
        key = detail if detail.startswith("Key ") else ""
        return _one_line(f"{primary} ({key.rstrip('.')})" if key else primary)
    if isinstance(error, RecursionError):
        return "a value is nested too deeply to process (maximum recursion depth exceeded)"
    text = str(original) or type(original).__name__
    return _one_line(text)


def _one_line(text: str, limit: int = 300) -> str:
    line = re.sub(r"\s+", " ", text.strip().splitlines()[0] if text.strip() else "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def isolate(
    organization_ids: Sequence[str],
    attempt: Callable[[list[str]], T],
    *,
    step: str,
    names: dict[str, str | None] | None = None,
) -> tuple[list[T], list[OrganizationFailure]]:
    """Runs `attempt` (one transaction that commits or rolls back as a whole) for all organizations;
    when it fails on data, for halves of them, down to single organizations.

    Returns the results of the attempts that committed (the first and only one on the happy path)
    and the organizations that failed alone. A platform error is raised as it is.
    """
    results: list[T] = []
    failures: list[OrganizationFailure] = []
    pending: list[list[str]] = [list(organization_ids)] if organization_ids else []
    while pending:
        group = pending.pop(0)
        try:
            results.append(attempt(group))
        except Exception as error:
            if not is_data_error(error):
                raise
            if len(group) == 1:
                organization = group[0]
                failures.append(
                    OrganizationFailure(organization, (names or {}).get(organization), step, failure_reason(error))
                )
            else:
                middle = len(group) // 2
                pending[:0] = [group[:middle], group[middle:]]
    return results, sorted(failures, key=lambda f: f.organization_id or "")


def run_per_organization(
    organization_ids: Iterable[str | None],
    work: Callable[[str | None], T],
    *,
    step: str,
    names: dict[str, str | None] | None = None,
    also_isolate: tuple[type[Exception], ...] = (),
) -> tuple[list[T], list[OrganizationFailure]]:
    """Calls `work` (one transaction or savepoint per organization) for each organization in turn; an
    organization whose data makes it fail (or that raises one of `also_isolate`) is recorded and the
    next one goes on."""
    results: list[T] = []
    failures: list[OrganizationFailure] = []
    for organization in organization_ids:
        try:
            results.append(work(organization))
        except Exception as error:
            if not (is_data_error(error) or isinstance(error, also_isolate)):
                raise
            name = (names or {}).get(organization) if organization else None
            failures.append(OrganizationFailure(organization, name, step, failure_reason(error)))
    return results, failures


def organization_names(engine: Engine, organization_ids: Iterable[str | None]) -> dict[str, str | None]:
    """The organizations' names by id (for reports and notifications)."""
    ids = sorted({str(o) for o in organization_ids if o})
    if not ids:
        return {}
    statement = load_sql("monitoring", "organization_names").bindparams(
        bindparam("organization_ids", type_=ARRAY(UUID(as_uuid=False)))
    )
    with engine.connect() as conn:
        return {str(row.id): row.name for row in conn.execute(statement, {"organization_ids": ids})}


def with_names(engine: Engine, failures: list[OrganizationFailure]) -> list[OrganizationFailure]:
    """The failures with the organizations' names filled in where missing."""
    missing = [f.organization_id for f in failures if f.organization_id and not f.organization_name]
    if not missing:
        return failures
    names = organization_names(engine, missing)
    return [
        f
        if f.organization_name or not f.organization_id
        else OrganizationFailure(f.organization_id, names.get(f.organization_id), f.step, f.reason)
        for f in failures
    ]


def failures_json(failures: Iterable[OrganizationFailure]) -> list[dict[str, Any]]:
    return [asdict(failure) for failure in failures]


def failures_from_json(data: Any) -> list[OrganizationFailure]:
    """The failures a step recorded in its metadata (`failures_json`), ignoring malformed entries."""
    found = []
    for item in data if isinstance(data, list) else []:
        if isinstance(item, dict) and "step" in item and "reason" in item:
            found.append(
                OrganizationFailure(
                    item.get("organization_id"), item.get("organization_name"), str(item["step"]), str(item["reason"])
                )
            )
    return found


def partial_summary(failed: int, total: int) -> str:
    return f"partial: {failed} of {total} organizations failed"


# ---- Dagster --------------------------------------------------------------------------------------


def completed_check_name(asset_name: str) -> str:
    """The name of the check each job asset carries for organization-level failures."""
    return f"{asset_name}_organizations_completed"


def completed_check_spec(asset_name: str):
    import dagster as dg

    return dg.AssetCheckSpec(
        completed_check_name(asset_name),
        asset=asset_name,
        description=(
            "Every organization of the run completed this step; fails naming each organization whose data "
            "broke it (its writes rolled back, the others written)."
        ),
    )


def completed_check_result(
    asset_name: str, failures: list[OrganizationFailure], total: int, *, check_name: str | None = None
):
    """The check's result: passes when no organization failed; else fails naming each one and why."""
    import dagster as dg

    return dg.AssetCheckResult(
        check_name=check_name or completed_check_name(asset_name),
        passed=not failures,
        description=("; ".join(f.line() for f in failures) if failures else f"all {total} organization(s) completed")[
            :2000
        ],
        metadata={
            "organizations": total,
            COMPLETED_ORGANIZATIONS: total - len(failures),
            FAILED_ORGANIZATIONS: dg.MetadataValue.json(failures_json(failures)),
        },
    )


def failure_metadata(failures: list[OrganizationFailure], total: int) -> dict[str, Any]:
    """Materialization metadata of a step: which organizations it rolled back and why."""
    import dagster as dg

    return {
        FAILED_ORGANIZATIONS: dg.MetadataValue.json(failures_json(failures)),
        COMPLETED_ORGANIZATIONS: dg.MetadataValue.int(total - len(failures)),
    }


def partial_failure(failures: list[OrganizationFailure], total: int):
    """The `dagster.Failure` a step raises after writing the organizations that succeeded."""
    import dagster as dg

    return dg.Failure(
        description=partial_summary(len({f.organization_id for f in failures}), total),
        metadata=failure_metadata(failures, total),
        allow_retries=False,
    )
