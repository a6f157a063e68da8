"""A payroll run: one month, for all organizations or those given, in one transaction.

Per organization: take the month's advisory lock, read the employees with their month's
attendance and leave summary and year-to-date taxable income, and compare them with the record of
what each row was computed from (`payroll_input_digests`) — one set-based statement
(`month_inputs.sql`) that returns only the employees whose inputs digest changed, who are new or
gone. An unchanged re-run stops there and writes nothing. The returned employees are computed at
once (`compute.compute`, exact integers), then merged:
* new rows are inserted as DRAFT, changed DRAFT rows updated, unchanged ones left alone, DRAFT rows
  of employees no longer paid removed — each with an `audit_logs` row (old and new values);
* APPROVED and PAID rows are never recomputed (the report lists them as locked);
* the breakdown of every DRAFT row is compared line by line with the computed one and only the
  differences are written (`payroll_items`, ids derived from the row's id; an unchanged re-run writes
  no line), the recomputed employees' skip reasons replaced (`payroll_skips`) and their inputs
  digests recorded.
Rows travel by COPY into temporary stage tables (PostgreSQL refuses COPY FROM into a table under
row-level security, as the jobs login is); the merge is a handful of set-based statements.
`approve` and `mark_paid` move a month's rows along DRAFT → APPROVED → PAID without recomputing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import bindparam
from sqlalchemy.dialects.postgresql import ARRAY, DATE, UUID
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from prometric_pipelines import kz_calendar
from prometric_pipelines.business_calendar import month_end
from prometric_pipelines.db.ids import uuid7
from prometric_pipelines.errors import PrometricError
from prometric_pipelines.monitoring.isolation import OrganizationFailure, run_per_organization
from prometric_pipelines.payroll.compute import ITEM_CODES, TIYN, compute
from prometric_pipelines.payroll.parameters import RATE_SCALE, YearParameters, parameters_for
from prometric_pipelines.sql import load_sql

USER_AGENT = "prometric payroll_run"
# Part of every inputs digest (payroll_input_digests): bump it when the computation changes, so the
# next run recomputes every DRAFT row instead of trusting digests of the old code's inputs.
INPUTS_VERSION = 1
PAYROLL_STEP = "payroll_run"
MAX_AMOUNT = 10**15  # tiyn: numeric(15,2) holds up to 9,999,999,999,999.99
_CSV = pacsv.WriteOptions(include_header=False, batch_size=65_536, quoting_style="needed")
_IIN = re.compile(r"^\d{12}$")
# Memory for the session's temporary tables (the stage of 100,000 rows is ~50 MB): with the server's
# default of 8 MB the stage is written to disk and read back by every statement that joins it.
TEMP_BUFFERS = "256MB"


class PayrollError(PrometricError):
    """A payroll run cannot start (e.g. no parameters for the year)."""


def _sql(name: str):
    return load_sql("payroll", name)


def _organizations_sql():
    return _sql("organizations").bindparams(bindparam("organization_ids", type_=ARRAY(UUID(as_uuid=False))))


def _stale_sql():
    return _ids_sql("delete_stale_drafts", "stale_ids")


def _time_summary_sql():
    return _sql("time_summary").bindparams(
        bindparam("working_days", type_=ARRAY(DATE)), bindparam("employee_ids", type_=ARRAY(UUID(as_uuid=False)))
    )


def _ids_sql(name: str, key: str):
    return _sql(name).bindparams(bindparam(key, type_=ARRAY(UUID(as_uuid=False))))


def _check_sql(name: str):
    return _sql(name).bindparams(bindparam("organization_ids", type_=ARRAY(UUID(as_uuid=False))))


# ---- report --------------------------------------------------------------------------------


@dataclass
class OrganizationResult:
    organization_id: str
    name: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    locked: dict[str, int] = field(default_factory=dict)  # status -> rows not recomputed
    skipped: list[tuple[str, str, str]] = field(default_factory=list)  # (employee id, code, reason)
    approved: int = 0
    notified: int = 0
    paid: int = 0
    lines_written: int = 0  # breakdown lines inserted, updated or deleted (unchanged ones are not written)
    # the month's rows after the run, by status: rows, gross, deductions, tax, net, employer contributions
    by_status: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def totals(self) -> dict[str, Decimal]:
        keys = ("gross", "deductions", "tax", "net", "employer_contributions")
        return {key: sum((row[key] for row in self.by_status.values()), Decimal("0")) for key in keys}

    @property
    def rows(self) -> int:
        return sum(row["rows"] for row in self.by_status.values())


@dataclass
class PayrollReport:
    period: str  # YYYY-MM
    action: str  # compute | approve | mark-paid | approve+mark-paid
    organizations: list[OrganizationResult]  # those that completed
    seconds: float = 0.0
    failures: list[OrganizationFailure] = field(default_factory=list)  # rolled back, with the reason

    def count(self, name: str) -> int:
        return sum(getattr(org, name) for org in self.organizations)

    @property
    def skipped(self) -> list[tuple[str, str, str, str]]:
        return [(org.organization_id, *skip) for org in self.organizations for skip in org.skipped]

    @property
    def locked(self) -> int:
        return sum(sum(org.locked.values()) for org in self.organizations)

    def totals(self) -> dict[str, Decimal]:
        keys = ("gross", "deductions", "tax", "net", "employer_contributions")
        return {key: sum((org.totals[key] for org in self.organizations), Decimal("0")) for key in keys}

    def lines(self) -> list[str]:
        """The run report as the CLI prints it."""
        out = [
            f"payroll {self.period} ({self.action}): {len(self.organizations)} organization(s) in {self.seconds:.1f} s"
        ]
        for org in self.organizations:
            statuses = ", ".join(f"{row['rows']:,} {status}" for status, row in org.by_status.items()) or "no rows"
            out.append(f"  {org.name} ({org.organization_id}): {statuses}")
            if self.action == "compute":
                locked = ", ".join(f"{n:,} {s}" for s, n in sorted(org.locked.items())) or "none"
                # "computed", not "paid": a compute run leaves DRAFT rows, nobody has been paid yet
                out.append(
                    f"    computed {org.created + org.updated + org.unchanged:,} (created {org.created:,}, "
                    f"updated {org.updated:,}, unchanged {org.unchanged:,}); removed {org.removed:,}; "
                    f"locked, not recomputed: {locked}; skipped {len(org.skipped):,}"
                )
            if "approve" in self.action:
                out.append(f"    approved {org.approved:,}; notifications {org.notified:,}")
            if "mark-paid" in self.action:
                out.append(f"    marked paid {org.paid:,}")
            totals = org.totals
            out.append(
                f"    totals KZT: gross {totals['gross']:,.2f}, deductions {totals['deductions']:,.2f}, "
                f"tax {totals['tax']:,.2f}, net {totals['net']:,.2f}, "
                f"employer contributions {totals['employer_contributions']:,.2f}"
            )
            for employee_id, code, reason in org.skipped[:20]:
                out.append(f"    skipped {code or employee_id}: {reason}")
            if len(org.skipped) > 20:
                out.append(f"    … and {len(org.skipped) - 20:,} more skipped (table payroll_skips)")
        for failure in self.failures:
            out.append(f"  failed, rolled back: {failure.line()}")
        return out

    def rows_by_status(self) -> dict[str, int]:
        """The month's rows after the run by status (DRAFT, APPROVED, PAID), over every organization."""
        counts: dict[str, int] = {}
        for org in self.organizations:
            for status, row in org.by_status.items():
                counts[status] = counts.get(status, 0) + row["rows"]
        return counts

    def metadata(self) -> dict[str, Any]:
        """Plain values for Dagster's MaterializeResult metadata."""
        totals = self.totals()
        return {
            "period": self.period,
            "action": self.action,
            "organizations": len(self.organizations),
            "organizations_failed": len(self.failures),
            "created": self.count("created"),
            "updated": self.count("updated"),
            "unchanged": self.count("unchanged"),
            "removed": self.count("removed"),
            "locked": self.locked,
            "skipped": len(self.skipped),
            "approved": self.count("approved"),
            "notified": self.count("notified"),
            "paid": self.count("paid"),
            "breakdown_lines_written": self.count("lines_written"),
            "rows": self.count("rows"),
            "rows_by_status": self.rows_by_status(),
            **{f"total_{key}_kzt": float(value) for key, value in totals.items()},
            "duration_s": round(self.seconds, 3),
        }


# ---- the calendar of an organization -------------------------------------------------------


def organization_working_days(first: dt.date, settings: Any) -> tuple[list[dt.date], str]:
    """Working days of the month (Kazakhstan calendar, with the organization's overrides from
    `settings.payroll`: `holidays` = extra days off, `workingDays` = days worked although off) and
    the `unmarkedAttendance` rule. Raises ValueError with the reason for malformed settings."""
    last = month_end(first)
    days = set(kz_calendar.working_days(first, last))
    settings = settings if settings is not None else {}
    if not isinstance(settings, dict):
        raise ValueError("settings.payroll is not a JSON object")
    for key, add in (("holidays", False), ("workingDays", True)):
        values = settings.get(key, [])
        if not isinstance(values, list):
            raise ValueError(f"settings.payroll.{key} is not a list of dates")
        for value in values:
            try:
                day = dt.date.fromisoformat(str(value))
            except ValueError:
                raise ValueError(f"settings.payroll.{key} entry {value!r} is not a date (YYYY-MM-DD)") from None
            if first <= day <= last:
                (days.add if add else days.discard)(day)
    unmarked = settings.get("unmarkedAttendance", "present")
    if unmarked not in ("present", "absent"):
        raise ValueError(f"settings.payroll.unmarkedAttendance {unmarked!r} is not 'present' or 'absent'")
    if not days:
        raise ValueError("the month has no working days in the organization's calendar")
    return sorted(days), unmarked


# ---- inputs ----------------------------------------------------------------------------------


def _tiyn(values: pd.Series) -> pd.Series:
    """numeric (Decimal) → exact integer tiyn; NULL stays None."""
    return values.map(lambda v: None if v is None or pd.isna(v) else int(Decimal(v) * TIYN))


def _flag(frame: pd.DataFrame, key: str, column: str, default: bool, reasons: pd.Series) -> np.ndarray:
    """A personalInfo boolean: JSON true/false, missing/null → default, anything else → skip reason."""
    kinds = frame[f"{column}_type"]
    bad = kinds.notna() & ~kinds.isin(["boolean", "null"])
    reasons[bad & reasons.isna()] = f"personalInfo.{key} is not true or false"
    return np.where(kinds == "boolean", frame[column] == "true", default)


def _born_before_1975(frame: pd.DataFrame, reasons: pd.Series) -> np.ndarray:
    """From personalInfo.birthDate, else from the IIN (YYMMDD + century digit: 1-2 → 18xx, 3-4 → 19xx,
    5-6 → 20xx); unknown → False (the employer pays ОПВР)."""
    text = frame["birth_date"]
    birth = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    bad = text.notna() & birth.isna()
    reasons[bad & reasons.isna()] = "personalInfo.birthDate is not a date (YYYY-MM-DD): " + text[bad].astype(str)
    iin = frame["iin"].fillna("")
    valid_iin = iin.str.match(_IIN) & iin.str[6].isin(list("123456"))
    century = iin.str[6].map({"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000})
    iin_year = pd.to_numeric(iin.str[:2], errors="coerce") + century
    year = np.where(birth.notna(), birth.dt.year, np.where(valid_iin, iin_year, 9999))
    return np.asarray(year, dtype=float) < 1975


def _read_frame(conn: Connection, statement, params: dict[str, Any]) -> pd.DataFrame:
    """A query's rows as a frame, built from plain tuples (pandas probing 100,000 SQLAlchemy Row
    objects one attribute at a time took longer than the queries). Ids arrive as text."""
    result = conn.execute(statement, params)
    columns = list(result.keys())
    # the driver's own tuples: wrapping each in a Row first cost more than the query at 100,000 rows
    records = result.cursor.fetchall() if result.returns_rows and result.cursor is not None else []
    result.close()
    # object columns: converting 100,000 ids per column to Arrow-backed strings (pandas' default) cost
    # seconds and the run only compares and copies them
    return pd.DataFrame(records, columns=columns, dtype=object)


def read_month_inputs(
    conn: Connection,
    organization: dict[str, Any],
    first: dt.date,
    working: list[dt.date],
    context: int,
    *,
    everything: bool = False,
) -> pd.DataFrame:
    """The employees to recompute (change 'compute', with every input column) and those to remove
    (change 'remove'), found by one statement that compares today's inputs with the record of what
    each row was computed from (month_inputs.sql); every employee due pay when `everything`. The
    month's attendance and leave summary is then computed for the employees to recompute only."""
    params = {
        "organization_id": organization["organization_id"],
        "first_day": first,
        "last_day": month_end(first),
        "year": first.year,
        "month": first.month,
        "default_workspace_id": organization["default_workspace_id"],
        "context": context,
        "everything": everything,
    }
    found = _read_frame(conn, _sql("month_inputs"), params)
    if found.empty:
        return found
    recompute = found["employee_id"][(found["change"] == "compute").to_numpy()].tolist()
    times = _read_frame(conn, _time_summary_sql(), {**params, "working_days": working, "employee_ids": recompute})
    return found.merge(times, on="employee_id", how="left")


def inputs_context(
    parameters: YearParameters, working: list[dt.date], unmarked: str, organization_problem: str | None
) -> int:
    """Everything an employee's pay depends on besides the employee's own inputs: part of every
    employee's inputs digest, so a change of the calendar, the settings or the rates recomputes all."""
    days = ",".join(day.isoformat() for day in working)
    described = f"v{INPUTS_VERSION}|{parameters!r}|{MAX_AMOUNT}|{days}|{unmarked}|{organization_problem}"
    # the seed of every employee's 64-bit hash (month_inputs.sql)
    return int.from_bytes(hashlib.md5(described.encode()).digest()[:8], "big", signed=True)


def prepare(
    staff: pd.DataFrame, first: dt.date, working: list[dt.date], unmarked: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(employees to pay with compute()'s input columns, skipped employees with a reason), from the
    rows of read_month_inputs."""
    staff = staff.reset_index(drop=True)
    reasons = pd.Series([None] * len(staff), index=staff.index, dtype=object)

    def skip(mask: pd.Series | np.ndarray, reason: str | pd.Series) -> None:
        mask = pd.Series(np.asarray(mask, dtype=bool), index=staff.index) & reasons.isna()
        reasons[mask] = reason[mask] if isinstance(reason, pd.Series) else reason

    salary = _tiyn(staff["salary"])
    currency = staff["currency"].fillna("KZT").str.upper()
    status = staff["status"].str.strip().str.lower()
    skip(staff["status"].isna(), "status is NULL")
    skip(status != "active", "unknown status " + staff["status"].astype(str))
    skip(staff["hire_date"].isna(), "no hire date")
    skip(salary.isna(), "no salary")
    numeric_salary = pd.to_numeric(salary, errors="coerce").fillna(0)
    skip(numeric_salary < 0, "negative salary " + staff["salary"].astype(str))
    skip(numeric_salary == 0, "salary is 0")
    skip(currency != "KZT", "salary in " + currency + " has no exchange rate to KZT")
    skip(staff["workspace_id"].isna(), "no workspace (none on the employee, no default workspace)")
    skip(staff["info_type"].notna() & (staff["info_type"] != "object"), "personalInfo is not a JSON object")
    skip(
        staff["negative_overtime_day"].notna(),
        "negative overtime hours on " + staff["negative_overtime_day"].astype(str),
    )
    skip(staff["impossible_hours"].notna(), "impossible hours on " + staff["impossible_hours"].astype(str))
    skip(
        staff["reversed_leave"].notna(),
        "approved leave ends before it starts: " + staff["reversed_leave"].astype(str),
    )
    pensioner = _flag(staff, "pensioner", "pensioner", False, reasons)
    resident = _flag(staff, "resident", "resident", True, reasons)
    deduction = _flag(staff, "ipnDeduction", "ipn_deduction", True, reasons)
    born_before_1975 = _born_before_1975(staff, reasons)

    # paid days in halves: working days from the first day of employment − unpaid days
    working_array = np.array(working, dtype="datetime64[D]")
    start = np.maximum(pd.to_datetime(staff["hire_date"].fillna(first)).to_numpy("datetime64[D]"), np.datetime64(first))
    workdays = len(working) - np.searchsorted(working_array, start)
    leave_days = staff["leave_days"].fillna(0).astype(np.int64).to_numpy()
    marked = staff["marked_days"].fillna(0).astype(np.int64).to_numpy()
    unmarked_days = np.maximum(workdays - leave_days - marked, 0) if unmarked == "absent" else 0
    unpaid_halves = (
        2
        * (
            staff["unpaid_leave_days"].fillna(0).astype(np.int64).to_numpy()
            + staff["absent_days"].fillna(0).astype(np.int64).to_numpy()
            + unmarked_days
        )
        + staff["half_days"].fillna(0).astype(np.int64).to_numpy()
    )

    inputs = pd.DataFrame(
        {
            "employee_id": staff["employee_id"],
            "user_id": staff["user_id"],
            "employee_code": staff["employee_code"],
            "workspace_id": staff["workspace_id"],
            "salary": salary.fillna(0),
            "norm_days": len(working),
            "workdays": workdays,
            "paid_half_days": np.maximum(2 * workdays - unpaid_halves, 0),
            "overtime_centihours": _tiyn(staff["overtime_hours"]).fillna(0),  # hours × 100, like tiyn
            "pensioner": pensioner,
            "born_before_1975": born_before_1975,
            "deduction_applies": resident & deduction,
            "ytd_taxable": _tiyn(staff["taxable"]).fillna(0),
            "inputs_digest": staff["inputs_digest"],
            "payroll_id": staff["payroll_id"],
            "payroll_number": staff["payroll_number"],
        },
        index=staff.index,
    )
    skipped = reasons.notna()
    skips = pd.DataFrame(
        {
            "employee_id": staff["employee_id"].astype(str)[skipped],
            "employee_code": staff["employee_code"][skipped],
            "reason": reasons[skipped],
            "inputs_digest": staff["inputs_digest"][skipped],
            "payroll_id": staff["payroll_id"][skipped],
        }
    )
    return inputs[~skipped], skips


# ---- writing ---------------------------------------------------------------------------------


def _money(tiyn: Any) -> pa.Array:
    """Exact decimal(17,2) from integer tiyn (|value| < 10^15): Arrow's decimal128 is the unscaled
    integer in two little-endian 64-bit words, so no float and no per-value Python formatting."""
    ints = np.asarray(tiyn, dtype=np.int64)
    words = np.empty((len(ints), 2), dtype="<i8")
    words[:, 0] = ints
    words[:, 1] = ints >> 63
    return pa.Array.from_buffers(pa.decimal128(17, 2), len(ints), [None, pa.py_buffer(words.tobytes())])


def _copy(conn: Connection, name: str, table: pa.Table) -> None:
    if table.num_rows == 0:
        return
    buffer = io.BytesIO()
    pacsv.write_csv(table, buffer, _CSV)
    raw = conn.connection.driver_connection
    with raw.cursor().copy(_sql(name).text.strip()) as copy:
        copy.write(buffer.getvalue())


def _copy_into(conn: Connection, kind: str, table: pa.Table, params: dict[str, Any]) -> None:
    """COPY into the `kind`'s temporary stage, then one INSERT … SELECT (`insert_<kind>.sql`) into its
    table: PostgreSQL refuses COPY FROM into a table under row-level security, which the jobs login is."""
    if table.num_rows == 0:
        return
    conn.execute(_sql(f"create_{kind}_stage"))
    conn.execute(_sql(f"clear_{kind}_stage"))
    _copy(conn, f"copy_{kind}", table)
    conn.execute(_sql(f"insert_{kind}"), params)


def _decimal_text(tiyn: np.ndarray) -> pd.Series:
    """Integer tiyn as plain decimal text ("1234.50") for JSON details."""
    values = pd.Series(np.asarray(tiyn, dtype=np.int64))
    sign = np.where(values < 0, "-", "")
    absolute = values.abs()
    return sign + (absolute // 100).astype(str) + "." + (absolute % 100).astype(str).str.zfill(2)


# Breakdown lines whose `details` may be non-NULL (the others' are always NULL).
DETAILED_CODES = ("BASIC", "OVERTIME", "IPN", "OPV", "OPVR")
_AMOUNT_OF = {
    "BASIC": "basic", "OVERTIME": "overtime", "OPV": "opv", "VOSMS": "vosms", "IPN": "ipn",
    "OPVR": "opvr", "SO": "so", "OOSMS": "oosms", "SN": "sn",
}  # fmt: skip


def line_rates(p: YearParameters) -> dict[str, str]:
    """The `rate` of the breakdown lines whose rate is the year's (sync_items.sql's parameters);
    BASIC has none, ИПН's depends on the row (staged)."""
    return {
        "opv_rate": f"{p.opv_rate:f}", "vosms_rate": f"{p.vosms_rate:f}", "opvr_rate": f"{p.opvr_rate:f}",
        "so_rate": f"{p.so_rate:f}", "oosms_rate": f"{p.oosms_rate:f}", "sn_rate": f"{p.sn_rate:f}",
    }  # fmt: skip


def _line_columns(rows: pd.DataFrame, amounts: pd.DataFrame, p: YearParameters) -> dict[str, pa.Array]:
    """The breakdown of each row as columns of its stage row (`<code>_base`, `<code>_amount`,
    `<code>_details`, `ipn_rate`): sync_items.sql unfolds them into the nine lines in SQL, so 100,000
    stage rows travel instead of 900,000 lines."""
    n = len(rows)
    ipn_rate = f"{p.ipn_rate:f}"
    # ИПН: one rate when the base falls in one band, NULL (see details) when it spans both
    ipn_rates = np.where(
        amounts["ipn_high_base"].to_numpy() == 0,
        ipn_rate,
        np.where(amounts["ipn_low_base"].to_numpy() == 0, f"{p.ipn_high_rate or p.ipn_rate:f}", None),
    )
    hourly = (rows["salary"].to_numpy() * 2 + rows["norm_days"].to_numpy() * 8) // (rows["norm_days"].to_numpy() * 16)
    taxable_tiyn = (amounts["taxable"].to_numpy() * 2 + RATE_SCALE) // (2 * RATE_SCALE)
    paid_days = (rows["paid_half_days"].to_numpy(dtype=np.int64) / 2).astype(str)
    paid_days = pd.Series(paid_days).str.removesuffix(".0")
    details = {
        "BASIC": '{"paidDays": ' + paid_days + ', "normDays": ' + rows["norm_days"].astype(str).to_numpy() + "}",
        "OVERTIME": '{"hours": ' + _decimal_text(rows["overtime_centihours"].to_numpy()).to_numpy() + "}",
        "IPN": (
            '{"deduction": '
            + _decimal_text(amounts["deduction"].to_numpy())
            + ', "adjusted": '
            + pd.Series(np.where(amounts["adjusted"].to_numpy(dtype=bool), "true", "false"))
            + ', "yearToDateBefore": '
            + _decimal_text(rows["ytd_taxable"].to_numpy())
            + ', "baseAtHighRate": '
            + _decimal_text((amounts["ipn_high_base"].to_numpy() * 2 + RATE_SCALE) // (2 * RATE_SCALE))
            + "}"
        ).to_numpy(),
    }
    exempt = np.where(rows["pensioner"].to_numpy(dtype=bool), '{"exempt": "pensioner"}', None)
    details["OPV"] = exempt
    details["OPVR"] = np.where(
        rows["born_before_1975"].to_numpy(dtype=bool) & ~rows["pensioner"].to_numpy(dtype=bool),
        '{"exempt": "born before 1975"}',
        exempt,
    )
    bases = {
        "BASIC": rows["salary"].to_numpy(),
        "OVERTIME": hourly,
        "OPV": amounts["opv_base"].to_numpy(),
        "VOSMS": amounts["vosms_base"].to_numpy(),
        "IPN": taxable_tiyn,
        "OPVR": amounts["opvr_base"].to_numpy(),
        "SO": amounts["so_base"].to_numpy(),
        "OOSMS": amounts["oosms_base"].to_numpy(),
        "SN": amounts["sn_base"].to_numpy(),
    }
    columns: dict[str, pa.Array] = {}
    for code in ITEM_CODES:
        columns[f"{code.lower()}_base"] = _money(bases[code])
        columns[f"{code.lower()}_amount"] = _money(amounts[_AMOUNT_OF[code]].to_numpy())
    for code in DETAILED_CODES:
        columns[f"{code.lower()}_details"] = pa.array(np.asarray(details[code], dtype=object), type=pa.string())
    columns["ipn_rate"] = pa.array(ipn_rates if n else np.array([], dtype=object), type=pa.string())
    return columns


def _notes(rows: pd.DataFrame) -> pd.Series:
    paid = pd.Series((rows["paid_half_days"].to_numpy(dtype=np.int64) / 2).astype(str)).str.removesuffix(".0")
    return (
        "paid days " + paid + " of " + rows["norm_days"].astype(str).to_numpy()
        + "; overtime " + _decimal_text(rows["overtime_centihours"].to_numpy()) + " h"
    )  # fmt: skip


def _compute_organization(
    conn: Connection,
    organization: dict[str, Any],
    first: dt.date,
    p: YearParameters,
    now: dt.datetime,
    result: OrganizationResult,
    *,
    recompute_all: bool = False,
) -> None:
    org_id = organization["organization_id"]
    period = {"organization_id": org_id, "year": first.year, "month": first.month}
    try:
        working, unmarked = organization_working_days(first, organization["payroll_settings"])
        organization_problem = None
    except ValueError as error:
        working, unmarked, organization_problem = [first], "present", f"organization settings: {error}"

    statuses = {row.status: row.rows for row in conn.execute(_sql("month_statuses"), period)}
    result.locked = {status: int(n) for status, n in sorted(statuses.items()) if status != "DRAFT"}
    drafts_before = int(statuses.get("DRAFT", 0))
    context = inputs_context(p, working, unmarked, organization_problem)
    found = read_month_inputs(conn, organization, first, working, context, everything=recompute_all)
    if found.empty:  # nothing changed since the last run: nothing to compute, nothing to write
        result.unchanged = drafts_before
        result.skipped = _month_skips(conn, period)
        return
    gone = found[(found["change"] == "remove").to_numpy()]
    inputs, skips = prepare(found[(found["change"] == "compute").to_numpy()], first, working, unmarked)
    if organization_problem is not None:  # every employee is reported, nobody is paid
        problem = inputs[["employee_id", "employee_code", "inputs_digest", "payroll_id"]].assign(
            reason=organization_problem
        )
        skips = pd.concat([skips, problem], ignore_index=True)
        inputs = inputs.iloc[0:0]
    amounts = compute(inputs, p)
    too_large = (amounts["gross"] >= MAX_AMOUNT).to_numpy(dtype=bool)
    if too_large.any():
        large = inputs.loc[too_large, ["employee_id", "employee_code", "inputs_digest", "payroll_id"]]
        skips = pd.concat([skips, large.assign(reason="gross pay too large")], ignore_index=True)
        inputs, amounts = inputs[~too_large], amounts[~too_large]

    rows = inputs.copy()
    rows["id"] = rows["payroll_id"]
    rows["payrollNumber"] = rows["payroll_number"]
    new = rows["id"].isna().to_numpy()
    if new.any():
        prefix = f"PAY-{first:%Y%m}-"
        start = conn.execute(_sql("next_number"), {"organization_id": org_id, "prefix": prefix}).scalar_one()
        now_ms = int(now.replace(tzinfo=dt.UTC).timestamp() * 1000)
        rows.loc[new, "id"] = uuid7(np.random.default_rng(), np.full(int(new.sum()), now_ms)).astype(str)
        sequence = np.arange(start + 1, start + 1 + int(new.sum()))
        rows.loc[new, "payrollNumber"] = [f"{prefix}{n:06d}" for n in sequence]
    # DRAFT rows of employees gone, or recomputed and now skipped, are removed
    stale = [*gone["payroll_id"].dropna().tolist(), *skips["payroll_id"].dropna().tolist()]
    conn.execute(
        _ids_sql("lock_rows", "payroll_ids"), {**period, "payroll_ids": [*rows["payroll_id"].dropna(), *stale]}
    )

    conn.execute(_sql("create_stage"))
    conn.execute(_sql("clear_stage"))
    n = len(rows)
    stage = pa.table(
        {
            "id": pa.array(rows["id"].astype(str).to_numpy()),
            "organizationId": pa.array(np.full(n, org_id)),
            "workspaceId": pa.array(rows["workspace_id"].to_numpy()),
            "employeeId": pa.array(rows["employee_id"].to_numpy()),
            "payrollNumber": pa.array(rows["payrollNumber"].astype(str).to_numpy()),
            "month": pa.array(np.full(n, first.month)),
            "year": pa.array(np.full(n, first.year)),
            "basicSalary": _money(amounts["basic"]),
            "allowances": _money(amounts["overtime"]),
            "deductions": _money(amounts["opv"] + amounts["vosms"]),
            "taxAmount": _money(amounts["ipn"]),
            "netSalary": _money(amounts["net"]),
            "currency": pa.array(np.full(n, "KZT")),
            # NEW marks rows to insert (stored as DRAFT); the month's lock makes the classification safe
            "status": pa.array(np.where(new, "NEW", "DRAFT")),
            "notes": pa.array(_notes(rows).to_numpy(), type=pa.string()),
            **_line_columns(rows, amounts, p),
        }
    )
    _copy(conn, "copy_stage", stage)
    conn.execute(_sql("analyze_stage"))

    write = {**period, "now": now, "user_agent": USER_AGENT}
    result.updated = conn.execute(_sql("update_changed_drafts"), write).rowcount
    result.created = conn.execute(_sql("insert_new_rows"), write).rowcount
    result.removed = conn.execute(_stale_sql(), {**write, "stale_ids": stale}).rowcount
    result.unchanged = drafts_before - result.removed - result.updated
    if result.created >= 1_000:  # a big first run: statistics from before it would mislead the planner
        conn.execute(_sql("analyze_payroll"))
    counts = conn.execute(_sql("sync_items"), {**period, **line_rates(p)}).one()
    result.lines_written = counts.added + counts.changed + counts.removed

    recomputed = found["employee_id"].tolist()
    conn.execute(_ids_sql("delete_skips", "employee_ids"), {**period, "employee_ids": recomputed})
    _copy_into(
        conn,
        "skips",
        pa.table(
            {
                "employeeId": pa.array(skips["employee_id"].astype(str).to_numpy(), type=pa.string()),
                "year": pa.array(np.full(len(skips), first.year)),
                "month": pa.array(np.full(len(skips), first.month)),
                "organizationId": pa.array(np.full(len(skips), org_id), type=pa.string()),
                "reason": pa.array(skips["reason"].astype(str).to_numpy(), type=pa.string()),
                "createdAt": pa.array(np.full(len(skips), np.datetime64(now, "us"))),
            }
        ),
        {"organization_id": org_id},
    )
    _record_inputs(conn, period, rows, skips, gone)
    result.skipped = _month_skips(conn, period)


def _month_skips(conn: Connection, period: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(employee id, code, reason) of every skipped employee of the month, recomputed by this run or not."""
    return [tuple(row) for row in conn.execute(_sql("month_skips"), period)]


def _record_inputs(
    conn: Connection, period: dict[str, Any], rows: pd.DataFrame, skips: pd.DataFrame, gone: pd.DataFrame
) -> None:
    """What the recomputed employees' rows were computed from (payroll_input_digests): the digest and
    the row (none for a skipped employee); the records of employees gone are deleted."""
    employees = np.concatenate(
        [rows["employee_id"].to_numpy(dtype=object), skips["employee_id"].to_numpy(dtype=object)]
    )
    digests = np.concatenate(
        [rows["inputs_digest"].to_numpy(dtype=object), skips["inputs_digest"].to_numpy(dtype=object)]
    )
    payroll_ids = np.concatenate(
        [rows["id"].astype(str).to_numpy(dtype=object), np.full(len(skips), None, dtype=object)]
    )
    table = pa.table(
        {
            "employeeId": pa.array(employees, type=pa.string()),
            "inputsDigest": pa.array(digests, type=pa.string()),
            "payrollId": pa.array(payroll_ids, type=pa.string()),
        }
    )
    _copy_into(conn, "digests", table, period)
    if len(gone):
        conn.execute(
            _ids_sql("forget_digests", "employee_ids"), {**period, "employee_ids": gone["employee_id"].tolist()}
        )


def _summarise(conn: Connection, org_id: str, first: dt.date, result: OrganizationResult) -> None:
    rows = conn.execute(_sql("month_summary"), {"organization_id": org_id, "year": first.year, "month": first.month})
    result.by_status = {row.status: dict(row._mapping) for row in rows}


def run_payroll(
    engine: Engine,
    month: dt.date,
    organization_ids: Sequence[str] | None = None,
    *,
    approve: bool = False,
    mark_paid: bool = False,
    payment_date: dt.date | None = None,
    now: dt.datetime | None = None,
    recompute_all: bool = False,
) -> PayrollReport:
    """Computes (or, with approve / mark_paid, moves along the lifecycle) one month's payroll for
    all organizations or those given, in one transaction with a savepoint per organization: an
    organization whose data makes its part fail is rolled back alone and listed in `report.failures`.
    Organization ids must exist (the caller checks with validation.require_organizations).

    A compute run recomputes only the employees whose inputs differ from the record of the last run
    (payroll_input_digests), who are new or gone; `recompute_all` recomputes every DRAFT row and
    compares it with the stored one (repairing a row or line edited behind the run's back)."""
    started = time.perf_counter()
    first = month.replace(day=1)
    try:
        parameters = parameters_for(first.year)
    except LookupError as error:
        raise PayrollError(str(error)) from None
    if not kz_calendar.FIRST_YEAR <= first.year <= kz_calendar.LAST_YEAR:
        raise PayrollError(f"no Kazakhstan working-day calendar for {first.year}")
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    period = f"{first:%Y-%m}"
    action = "+".join(name for name, wanted in (("approve", approve), ("mark-paid", mark_paid)) if wanted) or "compute"
    payment_date = payment_date or now.date()
    ids = list(organization_ids) if organization_ids else None
    results: list[OrganizationResult] = []
    with engine.begin() as conn:
        # the breakdown's comparison hashes 900,000 stored lines of a 100,000-employee organization
        conn.exec_driver_sql("SET LOCAL work_mem = '256MB'")
        _reserve_temp_buffers(conn)
        organizations = [dict(row._mapping) for row in conn.execute(_organizations_sql(), {"organization_ids": ids})]
        for organization in organizations:  # ordered by id: locks are always taken in the same order
            organization["organization_id"] = str(organization["organization_id"])
            conn.execute(_sql("lock_month"), {"organization_id": organization["organization_id"], "period": period})
        by_id = {organization["organization_id"]: organization for organization in organizations}

        def work(org_id: str) -> OrganizationResult:
            # a savepoint per organization: one whose data breaks the run is rolled back alone
            with conn.begin_nested():
                return _run_organization(
                    conn, by_id[org_id], first, parameters, now, period, action, payment_date,
                    approve=approve, mark_paid=mark_paid, recompute_all=recompute_all,
                )  # fmt: skip

        results, failures = run_per_organization(
            list(by_id), work, step=PAYROLL_STEP, names={org_id: org["name"] for org_id, org in by_id.items()}
        )
        if sum(result.created for result in results) >= 1_000:  # see analyze_written.sql
            conn.execute(_sql("analyze_written"))
        for result in results:
            _summarise(conn, result.organization_id, first, result)
    return PayrollReport(period, action, results, time.perf_counter() - started, failures)


def _reserve_temp_buffers(conn: Connection) -> None:
    """Sets the session's temp_buffers (TEMP_BUFFERS). PostgreSQL refuses a new size once the session
    has used a temporary table with another one: the run then goes on with the size it has."""
    try:
        with conn.begin_nested():
            conn.exec_driver_sql(f"SET temp_buffers = '{TEMP_BUFFERS}'")
    except DBAPIError:
        pass


def _run_organization(
    conn: Connection,
    organization: dict[str, Any],
    first: dt.date,
    parameters: YearParameters,
    now: dt.datetime,
    period: str,
    action: str,
    payment_date: dt.date,
    *,
    approve: bool,
    mark_paid: bool,
    recompute_all: bool = False,
) -> OrganizationResult:
    org_id = organization["organization_id"]
    result = OrganizationResult(org_id, organization["name"])
    period_params = {"organization_id": org_id, "year": first.year, "month": first.month}
    if action == "compute":
        _compute_organization(conn, organization, first, parameters, now, result, recompute_all=recompute_all)
    if approve:
        counts = conn.execute(
            _sql("approve"), {**period_params, "now": now, "user_agent": USER_AGENT, "period": period}
        ).one()
        result.approved, result.notified = counts.approved, counts.notified
    if mark_paid:
        counts = conn.execute(
            _sql("mark_paid"),
            {**period_params, "now": now, "user_agent": USER_AGENT, "payment_date": payment_date},
        ).one()
        result.paid = counts.paid
    return result


# ---- checks ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckOutcome:
    name: str
    passed: bool
    failures: int
    examples: list[str]
    description: str


def check_month(engine: Engine, month: dt.date, organization_ids: Sequence[str] | None = None) -> list[CheckOutcome]:
    """The spec's checks over a month's rows: net = gross − deductions − tax and not negative; the
    breakdown agrees with its row; every active employee has a row or a skip reason."""
    first = month.replace(day=1)
    params = {
        "year": first.year,
        "month": first.month,
        "last_day": month_end(first),
        "organization_ids": list(organization_ids) if organization_ids else None,
    }
    outcomes = []
    with engine.connect() as conn:
        net = conn.execute(_check_sql("check_net"), params).all()
        outcomes.append(
            CheckOutcome(
                "net_is_gross_minus_deductions_and_tax",
                not net,
                len(net),
                [f"{r.payroll_number}: net {r.net}, expected {r.expected_net}" for r in net[:10]],
                "every row: netSalary = basicSalary + allowances − deductions − taxAmount, and ≥ 0",
            )
        )
        breakdown = conn.execute(_check_sql("check_breakdown"), params).all()
        outcomes.append(
            CheckOutcome(
                "breakdown_matches_rows",
                not breakdown,
                len(breakdown),
                [r.payroll_number for r in breakdown[:10]],
                "payroll_items earnings, withholdings and tax sum to the row's amounts",
            )
        )
        missing = conn.execute(_check_sql("check_coverage"), params).all()
        outcomes.append(
            CheckOutcome(
                "every_active_employee_paid_or_skipped",
                not missing,
                len(missing),
                [f"{r.employee_code or r.employee_id} ({r.organization_id})" for r in missing[:10]],
                "every active employee hired by the month's end has a row or a skip reason",
            )
        )
    return outcomes


def report_json(report: PayrollReport) -> str:
    """The skipped employees as JSON (Dagster metadata)."""
    return json.dumps([{"organization": o, "employee": c or e, "reason": r} for o, e, c, r in report.skipped])
