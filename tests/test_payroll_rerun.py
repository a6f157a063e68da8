"""A payroll re-run writes only what changed, and what it leaves equals a run from scratch.

Generated data (a seeded random month of attendance, leaves, pensioners, people born before 1975,
non-residents), then changes of every kind a month sees between two runs: a salary change, new
attendance (an absence, overtime), an approved unpaid leave, an employee terminated, one hired, a
birth date that only changes an employer line, a corrupted stored line. The re-run must leave exactly
the rows and breakdown lines a run from scratch writes (all columns but ids, payroll numbers and
timestamps, row for row), and rewrite no row or line whose values did not change (their `xmin`, the
transaction that wrote the row version, stays).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from sqlalchemy import text

from prometric_pipelines import kz_calendar
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
# the row version of each row and line, by employee (and code)
VERSIONS = text("""
    SELECT CAST(p."employeeId" AS text), '', CAST(p.xmin AS text) FROM payroll p WHERE p."organizationId" = :o
    UNION ALL
    SELECT CAST(p."employeeId" AS text), i.code, CAST(i.xmin AS text)
    FROM payroll_items i JOIN payroll p ON p.id = i."payrollId" AND p."organizationId" = i."organizationId"
    WHERE i."organizationId" = :o""")


def content(engine, org: str) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {
            name: [tuple(row) for row in conn.execute(query, {"o": org})]
            for name, query in (("rows", ROWS), ("lines", LINES), ("skips", SKIPS))
        }


def versions(engine, org: str) -> dict[tuple[str, str], str]:
    with engine.connect() as conn:
        return {(employee, code): xmin for employee, code, xmin in conn.execute(VERSIONS, {"o": org})}


def run(engine, org: str):
    return run_payroll(engine, FEB, [org], now=NOW)


@pytest.fixture(scope="module")
def month(engine) -> dict:
    """One organization of 40 employees with a random February (seeded: the same every time)."""
    rng = np.random.default_rng(21)
    with engine.begin() as conn:
        tenant = make_tenant(conn)
        org, ws = tenant["organization"]["id"], tenant["workspace"]["id"]
        common = dict(organizationId=org, workspaceId=ws)
        staff = []
        for number in range(40):
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
    after = content(engine, org)
    after_versions = versions(engine, org)

    # only the changed employees' rows and lines have new versions
    changed_employees = {str(e["id"]) for e in (salary, absent, overtime, on_leave, born_early, corrupted)}
    rewritten = {key for key, xmin in after_versions.items() if touched.get(key) != xmin}
    assert {employee for employee, _ in rewritten} == changed_employees | {str(hired["id"])}
    unchanged = {key for key in after_versions if key[0] not in changed_employees | {str(hired["id"])}}
    assert len(unchanged) == 10 * (40 - 1 - 6) and all(after_versions[k] == touched[k] for k in unchanged)
    # born before 1975: its row and eight of its lines are untouched, only ОПВР is rewritten
    assert {code for employee, code in rewritten if employee == str(born_early["id"])} == {"OPVR"}
    assert {code for employee, code in rewritten if employee == str(corrupted["id"])} == {"SO"}
    early_after = {line[1]: line for line in after["lines"] if line[0] == born_early["id"]}
    assert early_after["OPVR"][5] == 0 and early_after["OPVR"][6] == {"exempt": "born before 1975"}
    # the new hire's nine lines, ОПВР, the repaired line, and the lines of the four changed pays that differ
    recomputed = {str(e["id"]) for e in (salary, absent, overtime, on_leave)}
    assert rerun.count("lines_written") == 9 + 1 + 1 + len([k for k in rewritten if k[0] in recomputed and k[1]])
    assert rerun.count("updated") == 4  # the four changed pays; ОПВР alone does not change the row

    # a run from scratch gives exactly the same rows, lines and skips
    with engine.begin() as conn:
        for table in ("payroll_skips", "payroll"):
            conn.execute(text(f'DELETE FROM {table} WHERE "organizationId" = :o'), {"o": org})
    scratch = run(engine, org)
    assert scratch.count("created") == 40
    assert content(engine, org) == after
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
