"""The shared validation layer: every parser, its one-line message, and its CLI and Dagster adapters."""

# no `from __future__ import annotations`: Dagster reads the op's config annotation at definition time

import argparse
import datetime as dt
import uuid

import dagster as dg
import pytest

from prometric_pipelines.errors import PrometricError
from prometric_pipelines.validation import (
    InvalidInput,
    argparse_type,
    check_run_config,
    parse_choice,
    parse_date,
    parse_date_range,
    parse_month,
    parse_organization_ids,
    parse_port,
    parse_positive_int,
    parse_uuid,
    require_organizations,
)
from tests.factories import make_tenant

TODAY = dt.date(2026, 11, 25)
ORG = "3f2b8c1e-9a4d-4c55-8e2f-0b1c2d3e4f50"


def test_invalid_input_is_a_one_line_prometric_error():
    assert issubclass(InvalidInput, PrometricError)


def test_parse_uuid():
    assert parse_uuid(ORG.upper()) == ORG
    assert parse_uuid(f"  {{{ORG}}} ") == ORG  # braces and blanks, as copied from tools
    for bad in ("", "42", "3f2b8c1e-9a4d-4c55-8e2f-0b1c2d3e4f5", "not-a-uuid", "'; DROP TABLE orders; --"):
        with pytest.raises(InvalidInput) as error:
            parse_uuid(bad)
        assert str(error.value) == f"organization id {bad!r} is not a UUID (like 3f2b8c1e-…-…)"
    with pytest.raises(InvalidInput, match=r"^workspace id 'x' is not a UUID"):
        parse_uuid("x", "workspace id")


def test_parse_date():
    assert parse_date("2026-02-28", today=TODAY) == dt.date(2026, 2, 28)
    assert parse_date(dt.date(2026, 11, 25), today=TODAY) == TODAY
    cases = {
        "2026-02-30": "date '2026-02-30' is not a date (YYYY-MM-DD)",
        "25.11.2026": "date '25.11.2026' is not a date (YYYY-MM-DD)",
        "1999-12-31": "date 1999-12-31 is before 2000-01-01",
        "2026-11-26": "date 2026-11-26 is in the future (today is 2026-11-25)",
    }
    for value, message in cases.items():
        with pytest.raises(InvalidInput) as error:
            parse_date(value, today=TODAY)
        assert str(error.value) == message
    assert parse_date("2026-11-26", allow_future=True, today=TODAY) == dt.date(2026, 11, 26)


def test_parse_month():
    assert parse_month("2026-02", today=TODAY) == dt.date(2026, 2, 1)
    assert parse_month("2026-11", today=TODAY) == dt.date(2026, 11, 1)  # the current month is allowed
    cases = {
        "2026-13": "month '2026-13' is not a month (YYYY-MM, month 01-12)",
        "2026-00": "month '2026-00' is not a month (YYYY-MM, month 01-12)",
        "2026-1": "month '2026-1' is not a month (YYYY-MM, month 01-12)",
        "Nov 2026": "month 'Nov 2026' is not a month (YYYY-MM, month 01-12)",
        "1999-12": "month 1999-12 is before 2000-01",
        "2026-12": "month 2026-12 is in the future (this month is 2026-11)",
    }
    for value, message in cases.items():
        with pytest.raises(InvalidInput) as error:
            parse_month(value, today=TODAY)
        assert str(error.value) == message


def test_parse_date_range():
    assert parse_date_range("2026-01-01", "2026-01-31", today=TODAY) == (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert parse_date_range("2026-01-05", None, today=TODAY) == (dt.date(2026, 1, 5), dt.date(2026, 1, 5))
    with pytest.raises(InvalidInput) as error:
        parse_date_range("2026-02-01", "2026-01-01", today=TODAY)
    assert str(error.value) == "date range is reversed: --from 2026-02-01 is after --to 2026-01-01"
    with pytest.raises(InvalidInput) as error:
        parse_date_range("2026-11-01", "2026-12-01", today=TODAY)
    assert str(error.value) == "--to date 2026-12-01 is in the future (today is 2026-11-25)"
    with pytest.raises(InvalidInput, match=r"^--from date 'yesterday' is not a date"):
        parse_date_range("yesterday", None, today=TODAY)


def test_parse_positive_int_port_and_choice():
    assert parse_positive_int("7", "--orgs") == 7
    for value, message in {
        "0": "--orgs must be at least 1 (got 0)",
        "-3": "--orgs must be at least 1 (got -3)",
        "1.5": "--orgs '1.5' is not a whole number",
        "11": "--orgs must be at most 10 (got 11)",
    }.items():
        with pytest.raises(InvalidInput) as error:
            parse_positive_int(value, "--orgs", maximum=10)
        assert str(error.value) == message
    assert parse_port("8501") == 8501
    for value, message in {
        "0": "port 0 is not a TCP port (1-65535)",
        "65536": "port 65536 is not a TCP port (1-65535)",
        "http": "port 'http' is not a TCP port (1-65535)",
    }.items():
        with pytest.raises(InvalidInput) as error:
            parse_port(value)
        assert str(error.value) == message
    assert parse_choice("small", "--scale", ("demo", "small")) == "small"
    with pytest.raises(InvalidInput) as error:
        parse_choice("huge", "--scale", ("demo", "small"))
    assert str(error.value) == "--scale 'huge' is not one of demo, small"


def test_parse_organization_ids():
    assert parse_organization_ids(None) is None
    assert parse_organization_ids([]) is None  # launchpad `organization_ids: []` means all, as for every job
    assert parse_organization_ids([ORG.upper(), ORG]) == [ORG]
    with pytest.raises(InvalidInput, match=r"^organization id 'acme' is not a UUID"):
        parse_organization_ids([ORG, "acme"])


def test_argparse_type_gives_argparse_one_line_and_exit_2(capsys):
    parser = argparse.ArgumentParser(prog="prometric run payroll")
    parser.add_argument("--month", type=argparse_type(parse_month, today=TODAY))
    assert parser.parse_args(["--month", "2026-10"]).month == dt.date(2026, 10, 1)
    with pytest.raises(SystemExit) as exit_:
        parser.parse_args(["--month", "2026-13"])
    assert exit_.value.code == 2
    assert "argument --month: month '2026-13' is not a month (YYYY-MM, month 01-12)" in capsys.readouterr().err


def test_check_run_config_fails_the_run_with_the_same_message():
    assert check_run_config(parse_month, "2026-10", today=TODAY) == dt.date(2026, 10, 1)
    with pytest.raises(dg.Failure) as failure:
        check_run_config(parse_month, "2026-13", today=TODAY)
    assert failure.value.description == "month '2026-13' is not a month (YYYY-MM, month 01-12)"
    assert failure.value.allow_retries is False  # retrying bad config cannot help


class PayrollConfig(dg.Config):
    month: str


def test_check_run_config_in_a_real_run():
    @dg.op
    def payroll(config: PayrollConfig) -> None:
        check_run_config(parse_month, config.month, today=TODAY)

    @dg.job
    def payroll_job() -> None:
        payroll()

    result = payroll_job.execute_in_process(
        run_config={"ops": {"payroll": {"config": {"month": "2026-13"}}}}, raise_on_error=False
    )
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "month '2026-13' is not a month (YYYY-MM, month 01-12)" in str(failure.step_failure_data.user_failure_data)


def test_require_organizations(engine):
    with engine.begin() as conn:
        known = str(make_tenant(conn)["organization"]["id"])
        assert require_organizations(conn, [known.upper()]) == [known]
        assert require_organizations(conn, []) == []
        missing = str(uuid.uuid4())
        with pytest.raises(InvalidInput) as error:
            require_organizations(conn, [known, missing])
        assert str(error.value) == f"unknown organization {missing}"
        other = str(uuid.uuid4())
        with pytest.raises(InvalidInput) as error:
            require_organizations(conn, [missing, known, other])
        assert str(error.value) == f"unknown organizations {missing}, {other}"
        with pytest.raises(InvalidInput, match="is not a UUID"):
            require_organizations(conn, ["acme"])
        conn.rollback()
