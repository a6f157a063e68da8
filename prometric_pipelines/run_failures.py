"""How a failed `prometric run …` reads on the terminal: one line per failed organization or step with
its reason, then where the full log is (run id and Dagster UI link). Exit code 3 when the run failed
only because some organizations failed (the others are written), 1 for any other failure.

A job reports organizations that failed alone by raising, after the others are committed,
`dagster.Failure(description="partial: K of N organizations failed", metadata={"failed_organizations":
MetadataValue.json([{"organization_id", "organization_name", "step", "reason"}, …]),
"completed_organizations": MetadataValue.int(N - K)})`.

Dagster's console logger prints each failure with the framework's traceback (200+ lines); outside
`--verbose` the console logger of a CLI run drops those failure events, since the summary says it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from prometric_pipelines.errors import PrometricError

EXIT_FAILED = 1
EXIT_PARTIAL = 3

FAILED_ORGANIZATIONS = "failed_organizations"
COMPLETED_ORGANIZATIONS = "completed_organizations"


def run_link(run_id: str) -> str:
    from prometric_pipelines.config import ui_port

    return f"http://127.0.0.1:{ui_port()}/runs/{run_id}"


def full_log(run_id: str) -> str:
    return f"Full log: run {run_id} ({run_link(run_id)})"


@dataclass
class RunFailed(PrometricError):
    """A failed run: `lines` are what the terminal shows, `exit_code` 3 (partial) or 1."""

    job_name: str
    run_id: str
    lines: list[str]
    exit_code: int
    tracebacks: list[str] = field(default_factory=list)

    def __str__(self) -> str:  # one line, for logs and callers that print only the message
        return f"{self.job_name} failed (run {self.run_id}): {self.lines[0]}"


def _first_line(text: str | None) -> str:
    return (str(text or "").strip().splitlines() or [""])[0]


def _metadata_value(metadata: Any, key: str) -> Any:
    entry = (metadata or {}).get(key)
    return getattr(entry, "value", entry)


def _original_error(error: Any) -> Any:
    """The user's exception under Dagster's wrappers."""
    while error.cause is not None and error.cls_name.startswith("Dagster"):
        error = error.cause
    return error


def error_message(error: Any) -> str:
    """First line of the user's exception message under Dagster's wrappers (a SerializableErrorInfo)."""
    original = _original_error(error)
    # "package.module.ErrorClass: message" -> "message"
    message = re.sub(rf"^([\w.]*\.)?{re.escape(original.cls_name)}: ", "", original.message.strip())
    # SQLAlchemy's "(psycopg.errors.UndefinedTable) relation … does not exist" -> the server's message
    return _first_line(re.sub(r"^\([\w.]+\) ", "", message))


def describe_failure(job_name: str, run_id: str, events: Iterable[Any]) -> RunFailed:
    """The terminal's account of a failed run from its events (an ExecuteInProcessResult's all_events)."""
    lines: list[str] = []
    tracebacks: list[str] = []
    failed_ids: set[str] = set()
    organizations_seen = 0
    other_failures = 0
    run_failure = ""
    for event in events:
        if event.is_step_failure:
            data = event.step_failure_data
            if data.error is not None:
                tracebacks.append(data.error.to_string())
            metadata = data.user_failure_data.metadata if data.user_failure_data is not None else {}
            failed = _metadata_value(metadata, FAILED_ORGANIZATIONS)
            if failed:
                for organization in failed:
                    name = organization.get("organization_name")
                    who = f"{name} ({organization['organization_id']})" if name else organization["organization_id"]
                    step = organization.get("step") or event.step_key
                    lines.append(f"{step}: {who}: {_first_line(organization.get('reason')) or 'failed'}")
                    failed_ids.add(str(organization["organization_id"]))
                completed = _metadata_value(metadata, COMPLETED_ORGANIZATIONS) or 0
                organizations_seen = max(organizations_seen, len(failed) + int(completed))
                continue
            other_failures += 1
            reason = error_message(data.error) if data.error is not None else _first_line(event.message)
            lines.append(f"{event.step_key}: {reason or 'failed'}")
        elif event.event_type_value in ("PIPELINE_FAILURE", "RUN_FAILURE"):
            run_failure = _first_line(event.message)
            error = getattr(event.event_specific_data, "error", None)
            if error is not None:
                tracebacks.append(error.to_string())
                run_failure = error_message(error) or run_failure
    if failed_ids and not other_failures:
        count = len(failed_ids)
        lines.append(
            f"partial: {count} of {max(organizations_seen, count)} organizations failed; the others are written. "
            f"{full_log(run_id)}"
        )
        return RunFailed(job_name, run_id, lines, EXIT_PARTIAL, tracebacks)
    if not lines:
        lines.append(run_failure or "the run failed")
    lines.append(f"{job_name} failed. {full_log(run_id)}")
    return RunFailed(job_name, run_id, lines, EXIT_FAILED, tracebacks)


# ---- the console logger of CLI runs -----------------------------------------------------------------

_FAILURE_EVENTS = frozenset({"STEP_FAILURE", "PIPELINE_FAILURE", "RUN_FAILURE"})


class _WithoutFailureTracebacks(logging.Filter):
    """Drops the failure events (the CLI's summary says them) and keeps other errors to one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        if event is not None and event.event_type_value in _FAILURE_EVENTS:
            return False
        if record.levelno >= logging.ERROR:
            record.msg, record.args = _first_line(record.getMessage()), None
        return True


def console_logger(*, verbose: bool) -> Any:
    """Dagster's coloured console logger; without `verbose`, without the failures' tracebacks."""
    import dagster as dg

    base = dg.colored_console_logger

    @dg.logger(config_schema=base.config_schema, description="The console, without tracebacks unless --verbose.")
    def console(init_context: dg.InitLoggerContext) -> logging.Logger:
        logger = base.logger_fn(init_context)
        if not verbose:
            logger.addFilter(_WithoutFailureTracebacks())
        return logger

    return console


def first_step_failure(events: Iterable[Any]) -> tuple[str, str]:
    """(step key, one-line message of the original exception) of the first failed step; ("", "") if none."""
    for event in events:
        if event.is_step_failure and event.step_failure_data.error is not None:
            return event.step_key, error_message(event.step_failure_data.error)
    return "", ""
