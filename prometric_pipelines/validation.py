"""One validation layer for CLI arguments and Dagster run config.

Each parser takes the raw text (or value) the user gave and returns the typed value, or raises
`InvalidInput` whose message names the argument, the value and what is expected: the CLI prints
it as one line, and Dagster run config validation reports the same words.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import uuid
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from sqlalchemy.engine import Connection

from prometric_pipelines.business_calendar import month_start
from prometric_pipelines.errors import PrometricError
from prometric_pipelines.sql import load_sql

T = TypeVar("T")

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
EARLIEST_DATE = dt.date(2000, 1, 1)


class InvalidInput(PrometricError):
    """An argument or run-config value is malformed or out of range."""


def parse_uuid(value: str, name: str = "organization id") -> str:
    """A UUID in canonical lower-case form."""
    try:
        return str(uuid.UUID(str(value).strip()))
    except ValueError:
        raise InvalidInput(f"{name} {value!r} is not a UUID (like 3f2b8c1e-…-…)") from None


def parse_date(
    value: str | dt.date, name: str = "date", *, allow_future: bool = False, today: dt.date | None = None
) -> dt.date:
    """An ISO date (YYYY-MM-DD), not before 2000 and, unless allowed, not after today."""
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise InvalidInput(f"{name} {value!r} is not a date (YYYY-MM-DD)") from None
    if day < EARLIEST_DATE:
        raise InvalidInput(f"{name} {day} is before {EARLIEST_DATE}")
    today = today or dt.date.today()
    if not allow_future and day > today:
        raise InvalidInput(f"{name} {day} is in the future (today is {today})")
    return day


def parse_month(
    value: str, name: str = "month", *, allow_future: bool = False, today: dt.date | None = None
) -> dt.date:
    """A month `YYYY-MM`, returned as its first day."""
    match = _MONTH.match(str(value).strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise InvalidInput(f"{name} {value!r} is not a month (YYYY-MM, month 01-12)")
    first = dt.date(int(match[1]), int(match[2]), 1)
    today = today or dt.date.today()
    if first < EARLIEST_DATE:
        raise InvalidInput(f"{name} {value} is before {EARLIEST_DATE:%Y-%m}")
    if not allow_future and first > month_start(today):
        raise InvalidInput(f"{name} {value} is in the future (this month is {today:%Y-%m})")
    return first


def parse_date_range(
    start: str | dt.date, end: str | dt.date | None, *, allow_future: bool = False, today: dt.date | None = None
) -> tuple[dt.date, dt.date]:
    """`--from`/`--to`: both dates valid, `to` defaults to `from`, and `from` ≤ `to`."""
    first = parse_date(start, "--from date", allow_future=allow_future, today=today)
    last = parse_date(end, "--to date", allow_future=allow_future, today=today) if end is not None else first
    if last < first:
        raise InvalidInput(f"date range is reversed: --from {first} is after --to {last}")
    return first, last


def parse_positive_int(value: str | int, name: str, *, maximum: int | None = None) -> int:
    """A whole number ≥ 1 (and ≤ maximum)."""
    try:
        number = int(str(value).strip())
    except ValueError:
        raise InvalidInput(f"{name} {value!r} is not a whole number") from None
    if number < 1:
        raise InvalidInput(f"{name} must be at least 1 (got {number})")
    if maximum is not None and number > maximum:
        raise InvalidInput(f"{name} must be at most {maximum} (got {number})")
    return number


def parse_choice(value: str, name: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise InvalidInput(f"{name} {value!r} is not one of {', '.join(choices)}")
    return value


def parse_port(value: str | int, name: str = "port") -> int:
    """A TCP port, 1-65535."""
    try:
        number = int(str(value).strip())
    except ValueError:
        raise InvalidInput(f"{name} {value!r} is not a TCP port (1-65535)") from None
    if not 0 < number < 65536:
        raise InvalidInput(f"{name} {number} is not a TCP port (1-65535)")
    return number


def parse_organization_ids(values: Iterable[str] | None) -> list[str] | None:
    """`--org ID` given any number of times: canonical UUIDs without duplicates.

    None or an empty list means all organizations: every job's launchpad config reads
    `organization_ids: []` that way, so no job can run silently for none."""
    if values is None:
        return None
    ids: list[str] = []
    for value in values:
        parsed = parse_uuid(value)
        if parsed not in ids:
            ids.append(parsed)
    return ids or None


def require_organizations(conn: Connection, ids: Iterable[str]) -> list[str]:
    """The ids, parsed, after checking each names an organization: else "unknown organization <id>".

    Read as the owner or `prometric_jobs` (the reader sees no organization outside a tenant session).
    """
    parsed = [parse_uuid(value) for value in ids]
    if not parsed:
        return parsed
    unknown = [str(u) for u in conn.execute(load_sql("security", "unknown_organizations"), {"ids": parsed}).scalars()]
    if len(unknown) == 1:
        raise InvalidInput(f"unknown organization {unknown[0]}")
    if unknown:
        raise InvalidInput(f"unknown organizations {', '.join(unknown)}")
    return parsed


def argparse_type(parser: Callable[..., T], *args: Any, **kwargs: Any) -> Callable[[str], T]:
    """One of these parsers as an argparse `type=`: a mistake becomes argparse's one-line usage error
    (`prometric: argument --port: port 'x' is not a TCP port (1-65535)`, exit code 2)."""

    def convert(value: str) -> T:
        try:
            return parser(value, *args, **kwargs)
        except InvalidInput as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    convert.__name__ = getattr(parser, "__name__", "value").removeprefix("parse_")  # argparse names it in errors
    return convert


def check_run_config(parser: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """For Dagster assets and ops: parse a run-config value at the start of a run; a mistake fails the run
    with `dagster.Failure` carrying the same one-line message the CLI prints (and no stack noise)."""
    try:
        return parser(*args, **kwargs)
    except InvalidInput as error:
        import dagster as dg  # not at import time: the CLI's quick paths do not load Dagster

        raise dg.Failure(description=str(error), allow_retries=False) from None
