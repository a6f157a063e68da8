"""A payroll re-run writes only what changed, and what it leaves equals a run from scratch.

Generated data (a seeded random month of attendance, leaves, pensioners, people born before 1975,
non-residents), then changes of every kind a month sees between two runs: a salary change, new
attendance (an absence, overtime), an approved unpaid leave, an employee terminated, one hired, a
birth date that only changes an employer line, a corrupted stored line. The re-run must leave exactly
the rows and breakdown lines a run from scratch writes (all columns but ids, payroll numbers and
timestamps, row for row), and rewrite no row or line whose values did not change (their `xmin`, the
transaction that wrote the row version, stays). A re-run recomputes only the employees whose inputs
digest (payroll_input_digests) changed: every kind of input is changed once and must be picked up.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from sqlalchemy import text

from prometric_pipelines import kz_calendar
from prometric_pipelines.payroll.parameters import PARAMETERS
from prometric_pipelines.payroll.run import run_payroll
from tests.factories import make, make_tenant

FEB = dt.date(2026, 2, 1)
NOW = dt.datetime(2026, 3, 1, 1, 0)
WORKING_DAYS = kz_calendar.working_days(FEB, dt.date(2026, 2, 28))

# every column but ids, payroll numbers and timestamps; lines are keyed by employee and code
ROWS = text("""
    SELECT p."employeeId", p."workspaceId", p.year, p.month, p."basicSalary", p.allowances, p.deductions,
           p."taxAmount", p."netSalary", p.currency, p.status, p."paymentDate", p.notes
    FROM payroll p WHERE p."organizationId" = :o AND p.year = 2026 AND p.month = 2
    ORDER BY p."employeeId" """)
LINES = text("""
    SELECT p."employeeId", i.code, i.kind, i.base, i.rate, i.amount, i.details, i."organizationId"
    FROM payroll_items i JOIN payroll p ON p.id = i."payrollId" AND p."organizationId" = i."organizationId"
    WHERE i."organizationId" = :o AND p.year = 2026 AND p.month = 2
    ORDER BY p."employeeId", i.code""")
SKIPS = text("""SELECT "employeeId", reason FROM payroll_skips WHERE "organizationId" = :o ORDER BY 1""")
# the row version of each row, line, skip reason and inputs record, by employee (and code)
VERSIONS = text("""
    SELECT CAST(p."employeeId" AS text), '', CAST(p.xmin AS text) FROM payroll p WHERE p."organizationId" = :o
    UNION ALL
    SELECT CAST(p."employeeId" AS text), i.code, CAST(i.xmin AS text)
    FROM payroll_items i JOIN payroll p ON p.id = i."payrollId" AND p."organizationId" = i."organizationId"
    WHERE i."organizationId" = :o
    UNION ALL
    SELECT CAST(s."employeeId" AS text), 'skip', CAST(s.xmin AS text) FROM payroll_skips s WHERE s."organizationId" = :o
    UNION ALL
    SELECT CAST(r."employeeId" AS text), 'inputs', CAST(r.xmin AS text)
    FROM payroll_input_digests r WHERE r."organizationId" = :o""")


def content(engine, org: str) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {
            name: [tuple(row) for row in conn.execute(query, {"o": org})]
            for name, query in (("rows", ROWS), ("lines", LINES), ("skips", SKIPS))
        }


def versions(engine, org: str) -> dict[tuple[str, str], str]:
    with engine.connect() as conn:
        return {(employee, code): xmin for employee, code, xmin in conn.execute(VERSIONS, {"o": org})}


def run(engine, org: str, **options):
    return run_payroll(engine, FEB, [org], now=NOW, **options)


def rewritten_since(before: dict, after: dict) -> set[tuple[str, str]]:
    """(employee, code) of rows, lines, skips and records written, added or removed in between."""
    return {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}


EMPLOYEES_OF_THE_MONTH = text("""
    SELECT "employeeId" FROM payroll WHERE "organizationId" = :o AND year = 2026 AND month = 2
    UNION
    SELECT "employeeId" FROM payroll_input_digests WHERE "organizationId" = :o AND year = 2026 AND month = 2""")


def from_scratch(engine, org: str) -> dict[str, list[tuple]]:
    """The month as a first run writes it (the month's rows, skips and records deleted first)."""
    with engine.begin() as conn:
        for table in ("payroll_skips", "payroll_input_digests", "payroll"):
            conn.execute(
                text(f'DELETE FROM {table} WHERE "organizationId" = :o AND year = 2026 AND month = 2'), {"o": org}
            )
    run(engine, org)
    return content(engine, org)


@pytest.fixture(scope="module")
def month(engine) -> dict:
    """One organization of 40 employees with a random February (seeded: the same every time)."""
    return random_month(engine, 40, seed=21)


def random_month(engine, employees: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    with engine.begin() as conn:
        tenant = make_tenant(conn)
        org, ws = tenant["organization"]["id"], tenant["workspace"]["id"]
        common = dict(organizationId=org, workspaceId=ws)
        staff = []
        for number in range(employees):
            born = dt.date(1960 + int(rng.integers(0, 40)), 1 + int(rng.integers(0, 12)), 1)
            info = {"birthDate": born.isoformat(), "pensioner": bool(rng.random() < 0.1),
                    "resident": bool(rng.random() > 0.1)}  # fmt: skip
            hired = dt.date(2026, 2, 16) if number % 13 == 5 else dt.date(2020, 1, 6)
            salary = Decimal(int(rng.integers(85_000, 6_000_000)))
            staff.append(make(conn, "employees", hireDate=hired, salary=salary, personalInfo=info,
                              employeeCode=f"R{number:03d}", **common))  # fmt: skip
        for employee in staff:
            for day in WORKING_DAYS:
                if day < employee["hireDate"]:
                    continue
                status = rng.choice(["PRESENT", "PRESENT", "PRESENT", "LATE", "HALF_DAY", "ABSENT"])
                overtime = Decimal(int(rng.integers(0, 5))) if status == "PRESENT" and rng.random() < 0.2 else 0
                make(conn, "attendance", employeeId=employee["id"], date=day, status=str(status),
                     overtimeHours=overtime, totalHours=Decimal(8), **common)  # fmt: skip
        for employee in staff[::7]:
            make(conn, "leaves", employeeId=employee["id"], type=str(rng.choice(["unpaid", "annual"])),
                 status="APPROVED", startDate=dt.date(2026, 2, 9), endDate=dt.date(2026, 2, 11), totalDays=3,
                 **common)  # fmt: skip
    return {"org": str(org), "workspace": ws, "staff": staff}


def test_unchanged_rerun_rewrites_nothing_and_changes_rewrite_only_their_lines(engine, month):
    org, staff = month["org"], month["staff"]
    first = run(engine, org)
    assert first.count("created") == 40 and first.count("lines_written") == 360
    written = versions(engine, org)
    before = content(engine, org)

    again = run(engine, org)
    assert (again.count("created"), again.count("updated"), again.count("removed")) == (0, 0, 0)
    assert again.count("unchanged") == 40 and again.count("lines_written") == 0
    assert versions(engine, org) == written  # no row and no line has a new version
    assert content(engine, org) == before

    # changes of every kind, each on an employee chosen so that it really changes the pay
    def pick(condition) -> dict:
        chosen = next(e for e in staff if e not in taken and e["hireDate"].year == 2020 and condition(e))
        taken.append(chosen)
        return chosen

    taken: list[dict] = []
    info = lambda e: e["personalInfo"]  # noqa: E731
    salary, absent, overtime, on_leave, leaver = (pick(lambda e: True) for _ in range(5))
    born_early = pick(lambda e: not info(e)["pensioner"] and info(e)["birthDate"] >= "1975")
    corrupted = pick(lambda e: True)
    common = dict(organizationId=month["org"], workspaceId=month["workspace"])
    with engine.begin() as conn:

        def present_day(employee) -> dt.date:
            return conn.execute(
                text("""SELECT min(a.date) FROM attendance a WHERE a."employeeId" = :e AND a.status = 'PRESENT'
                        AND NOT EXISTS (SELECT 1 FROM leaves l WHERE l."employeeId" = a."employeeId"
                                        AND a.date BETWEEN l."startDate" AND l."endDate")"""),
                {"e": employee["id"]},
            ).scalar_one()

        conn.execute(text("UPDATE employees SET salary = salary + 12345 WHERE id = :e"), {"e": salary["id"]})
        conn.execute(
            text("""UPDATE attendance SET status = 'ABSENT' WHERE "employeeId" = :e AND date = :d"""),
            {"e": absent["id"], "d": present_day(absent)},
        )
        conn.execute(
            text("""UPDATE attendance SET "overtimeHours" = "overtimeHours" + 3.5 WHERE "employeeId" = :e
                    AND date = '2026-02-24'"""),
            {"e": overtime["id"]},
        )
        day = present_day(on_leave)
        make(conn, "leaves", employeeId=on_leave["id"], type="unpaid", status="APPROVED",
             startDate=day, endDate=day, totalDays=1, **common)  # fmt: skip
        conn.execute(text("UPDATE employees SET status = 'terminated' WHERE id = :e"), {"e": leaver["id"]})
        hired = make(conn, "employees", hireDate=dt.date(2026, 2, 2), salary=Decimal("420000"),
                     personalInfo={"birthDate": "1999-09-09"}, employeeCode="R999", **common)  # fmt: skip
        # born 1970 (not a pensioner): only the employer's ОПВР line changes, the payroll row does not
        conn.execute(
            text("""UPDATE employees SET "personalInfo" = jsonb_set("personalInfo", '{birthDate}', '"1970-03-03"')
                    WHERE id = :e"""),
            {"e": born_early["id"]},
        )
        # a stored line corrupted behind the job's back is repaired by the next run
        conn.execute(
            text("""UPDATE payroll_items i SET amount = i.amount + 1 FROM payroll p
                    WHERE p.id = i."payrollId" AND p."organizationId" = i."organizationId"
                      AND p."employeeId" = :e AND i.code = 'SO'"""),
            {"e": corrupted["id"]},
        )
    was_early = content(engine, org)
    early_lines = {line[1]: line for line in was_early["lines"] if line[0] == born_early["id"]}
    assert early_lines["OPVR"][5] > 0  # (the change below is a real one)
    touched = versions(engine, org)

    rerun = run(engine, org)
    assert (rerun.count("created"), rerun.count("removed")) == (1, 1)
    after_versions = versions(engine, org)

    # only the changed employees' rows, lines and records have new versions (or are gone)
    changed_employees = {str(e["id"]) for e in (salary, absent, overtime, on_leave, born_early, leaver)}
    rewritten = rewritten_since(touched, after_versions)
    assert {employee for employee, _ in rewritten} == changed_employees | {str(hired["id"])}
    unchanged = {key for key in after_versions if key[0] not in changed_employees | {str(hired["id"])}}
    assert len(unchanged) == 11 * (40 - 6) and all(after_versions[k] == touched[k] for k in unchanged)
    # born before 1975: its row and eight of its lines are untouched, only ОПВР (and its record) are rewritten
    assert {code for employee, code in rewritten if employee == str(born_early["id"])} == {"OPVR", "inputs"}
    early_after = {line[1]: line for line in content(engine, org)["lines"] if line[0] == born_early["id"]}
    assert early_after["OPVR"][5] == 0 and early_after["OPVR"][6] == {"exempt": "born before 1975"}
    # the new hire's nine lines, ОПВР, and the lines of the four changed pays that differ
    recomputed = {str(e["id"]) for e in (salary, absent, overtime, on_leave)}
    lines = [k for k in rewritten if k[0] in recomputed and k[1] not in ("", "inputs")]
    assert rerun.count("lines_written") == 9 + 1 + len(lines)
    assert rerun.count("updated") == 4  # the four changed pays; ОПВР alone does not change the row

    # the corrupted line's inputs did not change: only a full recomputation finds and repairs it
    assert {code for employee, code in rewritten if employee == str(corrupted["id"])} == set()
    before_full = versions(engine, org)
    full = run(engine, org, recompute_all=True)
    assert full.count("lines_written") == 1 and full.count("updated") == 0
    assert rewritten_since(before_full, versions(engine, org)) == {(str(corrupted["id"]), "SO")}
    after = content(engine, org)

    # a run from scratch gives exactly the same rows, lines and skips
    assert from_scratch(engine, org) == after
    assert len(after["rows"]) == 40 and len(after["lines"]) == 360


def test_a_session_that_already_used_temporary_tables_still_runs(engine, database_url, month):
    """temp_buffers cannot change once a session has used a temporary table: the run keeps the size the
    session has and writes the same month."""
    from sqlalchemy.pool import StaticPool

    from prometric_pipelines.db.engine import create_db_engine

    run(engine, month["org"])
    expected = content(engine, month["org"])
    one_session = create_db_engine(database_url, poolclass=StaticPool)
    try:
        with one_session.begin() as conn:
            conn.execute(text("CREATE TEMP TABLE earlier_work (n int)"))
            conn.execute(text("INSERT INTO earlier_work VALUES (1)"))
            size = conn.execute(text("SHOW temp_buffers")).scalar_one()
        report = run(one_session, month["org"])
        with one_session.connect() as conn:
            assert conn.execute(text("SHOW temp_buffers")).scalar_one() == size != "256MB"
    finally:
        one_session.dispose()
    assert not report.failures and report.count("unchanged") == 40
    assert report.count("lines_written") == 0 and content(engine, month["org"]) == expected


@pytest.fixture(scope="module")
def small_month(engine) -> dict:
    """A second organization of 16 employees with a random February, for the inputs one by one."""
    return random_month(engine, 16, seed=2121)


def test_every_kind_of_input_change_is_picked_up_and_equals_a_run_from_scratch(engine, small_month, monkeypatch):
    org, staff = small_month["org"], small_month["staff"]
    run(engine, org)
    settled = [e for e in staff if e["hireDate"].year == 2020]
    one = iter(settled)

    def employee_update(assignments: str):
        def change(conn) -> set[str]:
            employee = next(one)
            conn.execute(text(f"UPDATE employees SET {assignments} WHERE id = :e"), {"e": employee["id"]})
            return {str(employee["id"])}

        return change

    def attendance_update(assignments: str):
        def change(conn) -> set[str]:
            employee = next(one)
            conn.execute(
                text(f"""UPDATE attendance SET {assignments} WHERE "employeeId" = :e AND date = '2026-02-25'"""),
                {"e": employee["id"]},
            )
            return {str(employee["id"])}

        return change

    def leave_status(conn) -> set[str]:
        employee = next(e for e in settled if e in staff[::7])  # the fixture gave them an approved leave
        conn.execute(text("""UPDATE leaves SET status = 'REJECTED' WHERE "employeeId" = :e"""), {"e": employee["id"]})
        return {str(employee["id"])}

    def earlier_month(conn) -> set[str]:
        # a January row with a taxable base: the year to date (ИПН details) of February changes
        employee = next(one)
        january = make(conn, "payroll", organizationId=org, workspaceId=small_month["workspace"],
                       employeeId=employee["id"], month=1, year=2026, basicSalary=Decimal(1), netSalary=Decimal(1),
                       status="PAID")  # fmt: skip
        make(conn, "payroll_items", payrollId=january["id"], organizationId=org, code="IPN", kind="tax",
             base=Decimal("123456.00"), amount=Decimal(0))  # fmt: skip
        return {str(employee["id"])}

    def default_workspace(conn) -> set[str]:
        # an employee without a workspace of its own is paid in the organization's default workspace
        employee = next(one)
        conn.execute(text("""UPDATE employees SET "workspaceId" = NULL WHERE id = :e"""), {"e": employee["id"]})
        other = make(conn, "workspaces", organizationId=org, isDefault=False, name="Branch")
        conn.execute(text("""UPDATE workspaces SET "isDefault" = false WHERE "organizationId" = :o"""), {"o": org})
        conn.execute(text("""UPDATE workspaces SET "isDefault" = true WHERE id = :w"""), {"w": other["id"]})
        return {str(employee["id"])}

    def calendar(conn) -> set[str]:
        conn.execute(
            text("""UPDATE organizations SET settings = '{"payroll": {"holidays": ["2026-02-20"]}}' WHERE id = :o"""),
            {"o": org},
        )
        return everyone()

    def rates(conn) -> set[str]:
        changed = dataclasses.replace(PARAMETERS[2026], so_rate=Decimal("0.045"))
        monkeypatch.setitem(PARAMETERS, 2026, changed)
        return everyone()

    def everyone() -> set[str]:
        """The employees with a row or a record of the month."""
        with engine.connect() as conn:
            return {str(e) for (e,) in conn.execute(EMPLOYEES_OF_THE_MONTH, {"o": org})}

    def rows() -> int:
        return len(content(engine, org)["rows"])

    changes = {
        "salary": employee_update("salary = salary * 1.1"),
        "currency": employee_update("currency = 'USD'"),  # skipped from now on
        "status": employee_update("status = 'ACTIVE '"),  # same pay: the run recomputes and writes nothing
        "deleted": employee_update('"deletedAt" = now()'),
        "hire date": employee_update(""""hireDate" = '2026-02-10'"""),
        "pensioner": employee_update(
            """"personalInfo" = "personalInfo" || '{"pensioner": true, "birthDate": "1950-01-01"}'"""
        ),
        "resident": employee_update(""""personalInfo" = "personalInfo" || '{"resident": false}'"""),
        "ipn deduction": employee_update(""""personalInfo" = "personalInfo" || '{"ipnDeduction": false}'"""),
        "iin": employee_update(""""personalInfo" = ("personalInfo" - 'birthDate') || '{"iin": "700101300123"}'"""),
        "attendance status": attendance_update(
            "status = CASE WHEN status = 'HALF_DAY' THEN 'ABSENT' ELSE 'HALF_DAY' END"
        ),
        "impossible hours": attendance_update('"totalHours" = 30'),
        "leave status": leave_status,
        "year to date": earlier_month,
        "default workspace": default_workspace,
        "calendar": calendar,
        "rates": rates,
    }
    for kind, change in changes.items():
        before = versions(engine, org)
        with engine.begin() as conn:
            expected = change(conn)
        rerun = run(engine, org)
        touched = {employee for employee, _ in rewritten_since(before, versions(engine, org))}
        assert touched == expected, kind  # the changed employees' records at least, nobody else's
        assert rerun.count("unchanged") + rerun.count("updated") + rerun.count("created") == rows(), kind
        # the report lists every skipped employee of the month, recomputed or not
        assert sorted(e for _o, e, _c, _r in rerun.skipped) == sorted(str(s[0]) for s in content(engine, org)["skips"])
        assert content(engine, org) == from_scratch(engine, org), kind
