"""Benchmark of a payroll run against the machine's limit: 100,000 employees, one organization.

    python bench/payroll.py [--employees 100000]

Builds (once, kept between runs) a database `prometric_bench_payroll` on the configured server with
one organization of N employees (KZT salaries, personalInfo with pensioners, non-residents, people
born before 1975), a full month of attendance for February 2026 (absences, half days, overtime) and
some approved unpaid leave — loaded with COPY. Then times, in this order:
* the first run of the month (every row created: payroll + 9 breakdown lines + audit row each),
* a re-run with unchanged inputs (the inputs compared with the record of the last run in one
  statement; nothing recomputed, nothing written),
* a re-run after a few changes (100 salaries, 200 attendance marks, 20 leaves' approval toggled;
  only those employees recomputed and written),
* `approve` (status change, audit row and notification per row),
and prints for each its time, the machine's limit measured right after it on the same data
(bench/limits.py: a warm bare parallel scan of what the step reads + a binary COPY of exactly the
rows it wrote into same-indexed scratch tables), the ratio, the target (≤ 10 s and ≤ 3× the limit)
and the load average. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np
import psycopg
from limits import REPORT_HEADER, Limit, Output, load_average, measure, report_row  # bench/, next to this script
from sqlalchemy import text

from prometric_pipelines import kz_calendar
from prometric_pipelines.config import libpq_url
from prometric_pipelines.db.engine import create_db_engine, database_url
from prometric_pipelines.db.ids import uuid7
from prometric_pipelines.db.migrate import migrate
from prometric_pipelines.generate.copy import TableLoader
from prometric_pipelines.payroll.run import run_payroll

DATABASE = "prometric_bench_payroll"
MONTH = dt.date(2026, 2, 1)
TARGET_SECONDS = 10.0
TARGET_RATIO = 3.0
CREATED = np.datetime64("2025-01-01T08:00:00", "us")


def build(url, employees: int) -> str:
    """The bench organization's id; loads it first when the database does not hold it yet."""
    engine = create_db_engine(url)
    migrate(engine)
    with engine.connect() as conn:
        existing = conn.execute(
            text("""SELECT o.id FROM organizations o WHERE o.name = 'Bench payroll'
                    AND (SELECT count(*) FROM employees e WHERE e."organizationId" = o.id) = :n"""),
            {"n": employees},
        ).scalar()
    engine.dispose()
    if existing:
        return str(existing)
    started = time.perf_counter()
    rng = np.random.default_rng(2026)
    ms = int(CREATED.astype("datetime64[ms]").astype(np.int64))
    org_id, ws_id = (i.decode() for i in uuid7(rng, np.array([ms, ms])))
    user_ids = uuid7(rng, np.full(employees, ms))
    employee_ids = uuid7(rng, np.full(employees, ms + 1))
    hire = np.datetime64("2015-01-01") + rng.integers(0, 4000, employees).astype("timedelta64[D]")
    hire[rng.random(employees) < 0.01] = np.datetime64("2026-02-16")  # a few hired mid-month
    birth = np.datetime64("1960-01-01") + rng.integers(0, 15000, employees).astype("timedelta64[D]")
    pensioner = birth < np.datetime64("1963-01-01")
    resident = rng.random(employees) >= 0.03
    infos = [
        f'{{"birthDate": "{b}", "pensioner": {str(p).lower()}, "resident": {str(r).lower()}}}'
        for b, p, r in zip(birth.astype(str), pensioner, resident, strict=True)
    ]
    salary = np.round(rng.lognormal(np.log(450_000), 0.6, employees), -2)
    days = np.array(kz_calendar.working_days(MONTH, dt.date(2026, 2, 28)), dtype="datetime64[D]")
    att_employee = np.repeat(np.arange(employees), len(days))
    att_day = np.tile(days, employees)
    keep = att_day >= hire[att_employee]
    att_employee, att_day = att_employee[keep], att_day[keep]
    n = len(att_day)
    status = rng.choice(["PRESENT", "LATE", "HALF_DAY", "ABSENT"], n, p=[0.9, 0.06, 0.025, 0.015])
    overtime = np.where((rng.random(n) < 0.08) & (status == "PRESENT"), rng.integers(1, 7, n) * 0.5, 0.0)
    unpaid = rng.choice(employees, employees // 50, replace=False)
    with psycopg.connect(libpq_url(url)) as conn:
        loader = TableLoader(conn)
        org = lambda k: np.full(k, org_id)  # noqa: E731
        loader.write("users", {
            "id": user_ids, "email": [f"bench{i}@payroll.kz" for i in range(employees)],
            "password": np.full(employees, "x"), "status": np.full(employees, "active"),
            "createdAt": np.full(employees, CREATED), "updatedAt": np.full(employees, CREATED),
        })  # fmt: skip
        loader.write("organizations", {
            "id": np.array([org_id]), "name": np.array(["Bench payroll"]), "bin": np.array(["990240000000"]),
            "createdAt": np.array([CREATED]), "updatedAt": np.array([CREATED]),
        })  # fmt: skip
        loader.write("workspaces", {
            "id": np.array([ws_id]), "organizationId": org(1), "name": np.array(["Head office"]),
            "isDefault": np.array([True]), "createdAt": np.array([CREATED]), "updatedAt": np.array([CREATED]),
        })  # fmt: skip
        loader.write("employees", {
            "id": employee_ids, "userId": user_ids, "organizationId": org(employees),
            "workspaceId": np.full(employees, ws_id), "employeeCode": [f"B{i:06d}" for i in range(employees)],
            "hireDate": hire, "salary": salary, "currency": np.full(employees, "KZT"),
            "status": np.full(employees, "active"), "personalInfo": infos,
            "createdAt": np.full(employees, CREATED), "updatedAt": np.full(employees, CREATED),
        })  # fmt: skip
        stamp = att_day.astype("datetime64[us]") + np.timedelta64(18, "h")
        loader.write("attendance", {
            "id": uuid7(rng, stamp.astype("datetime64[ms]").astype(np.int64)), "organizationId": org(n),
            "workspaceId": np.full(n, ws_id), "employeeId": employee_ids[att_employee], "date": att_day,
            "status": status, "overtimeHours": overtime, "totalHours": np.where(status == "ABSENT", 0.0, 8.0),
            "createdAt": stamp, "updatedAt": stamp,
        })  # fmt: skip
        k = len(unpaid)
        loader.write("leaves", {
            "id": uuid7(rng, np.full(k, ms)), "organizationId": org(k), "workspaceId": np.full(k, ws_id),
            "employeeId": employee_ids[unpaid], "type": np.full(k, "unpaid"),
            "startDate": np.full(k, np.datetime64("2026-02-10")), "endDate": np.full(k, np.datetime64("2026-02-12")),
            "totalDays": np.full(k, 3), "status": np.full(k, "APPROVED"),
            "createdAt": np.full(k, CREATED), "updatedAt": np.full(k, CREATED),
        })  # fmt: skip
        loader.close()
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE employees, attendance, leaves, users")
    print(f"built {employees:,} employees and {n:,} attendance rows in {time.perf_counter() - started:.1f} s")
    return org_id


def reset_month(engine, org: str) -> None:
    with engine.begin() as conn:
        conn.execute(text('DELETE FROM payroll WHERE "organizationId" = :o'), {"o": org})
        conn.execute(text('DELETE FROM payroll_skips WHERE "organizationId" = :o'), {"o": org})
        conn.execute(text('DELETE FROM payroll_input_digests WHERE "organizationId" = :o'), {"o": org})
        conn.execute(text("""DELETE FROM audit_logs WHERE "organizationId" = :o AND entity = 'payroll'"""), {"o": org})
        conn.execute(text("DELETE FROM notifications WHERE category = 'payroll'"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE payroll, payroll_items, payroll_input_digests, audit_logs, notifications"))


def change_a_few(engine, org: str) -> None:
    """Between two runs a few inputs change: 100 salaries go up, 200 attendance marks of one day flip
    between PRESENT and ABSENT, 20 unpaid leaves flip between APPROVED and REJECTED (repeatable: the
    database is kept between bench runs)."""
    with engine.begin() as conn:
        conn.execute(
            text("""UPDATE employees SET salary = salary + 1000, "updatedAt" = now()
                    WHERE id IN (SELECT id FROM employees WHERE "organizationId" = :o
                                 ORDER BY "employeeCode" LIMIT 100)"""),
            {"o": org},
        )
        conn.execute(
            text("""UPDATE attendance SET status = CASE WHEN status = 'ABSENT' THEN 'PRESENT' ELSE 'ABSENT' END
                    WHERE id IN (SELECT id FROM attendance WHERE "organizationId" = :o AND date = '2026-02-24'
                                 ORDER BY "employeeId" OFFSET 1000 LIMIT 200)"""),
            {"o": org},
        )
        conn.execute(
            text("""UPDATE leaves SET status = CASE WHEN status = 'APPROVED' THEN 'REJECTED' ELSE 'APPROVED' END
                    WHERE id IN (SELECT id FROM leaves WHERE "organizationId" = :o ORDER BY "employeeId" LIMIT 20)"""),
            {"o": org},
        )


def last_xid(engine) -> int:
    """The newest transaction id so far (32 bits, as xmin holds it): rows written later have a higher xmin."""
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT txid_current() % 4294967296")).scalar_one())


def written_after(table: str, org: str, xid: int) -> Output:
    """Exactly the rows of `table` a step wrote (their row version is newer than `xid`)."""
    where = '"organizationId" = %(o)s AND CAST(CAST(xmin AS text) AS bigint) > %(x)s'
    return Output(table, where, {"o": org, "x": xid})


def timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def month_where(org: str) -> dict[str, str]:
    """The rows a run reads, as WHERE clauses over literal values the bench controls (its own org id)."""
    return {
        "employees": f"\"organizationId\" = '{org}'",
        "attendance": f"\"organizationId\" = '{org}' AND date BETWEEN '{MONTH}' AND '{MONTH:%Y-%m}-28'",
        "leaves": f"\"organizationId\" = '{org}'",
        "payroll": f"\"organizationId\" = '{org}' AND year = {MONTH.year} AND month = {MONTH.month}",
        "payroll_items": f"\"organizationId\" = '{org}'",
        "payroll_input_digests": f"\"organizationId\" = '{org}' AND year = {MONTH.year} AND month = {MONTH.month}",
    }


def audit_rows(org: str, action: str) -> Output:
    return Output(
        "audit_logs",
        "\"organizationId\" = %(o)s AND entity = 'payroll' AND action = %(a)s",
        {"o": org, "a": action},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=100_000)
    args = parser.parse_args()
    base = database_url()
    with psycopg.connect(libpq_url(base.set(database="postgres")), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone():
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
    url = base.set(database=DATABASE)
    org = build(url, args.employees)
    engine = create_db_engine(url)
    reset_month(engine, org)
    where = month_where(org)
    mine = {"o": org}
    of_org = '"organizationId" = %(o)s'
    inputs = ["employees", "attendance", "leaves"]
    figures: list[tuple[str, float, Limit]] = []

    # each step's limit is measured right after it, on exactly the rows it wrote
    first_s, first = timed(lambda: run_payroll(engine, MONTH, [org]))
    written = [
        Output("payroll", of_org, mine),
        Output("payroll_items", of_org, mine),
        Output("payroll_input_digests", of_org, mine),
        audit_rows(org, "CREATE"),
    ]
    label = f"first run ({first.count('created'):,} rows, {first.count('lines_written'):,} breakdown lines, audit)"
    figures.append((label, first_s, measure(engine, inputs, written, where=where)))

    # a re-run reads the inputs, the month's rows and their records (and the employer lines for its
    # report's totals)
    rerun_reads = [*inputs, "payroll", "payroll_items", "payroll_input_digests"]
    rerun_s, rerun = timed(lambda: run_payroll(engine, MONTH, [org]))
    rewritten = rerun.count("updated") + rerun.count("created") + rerun.count("lines_written")
    label = f"unchanged re-run ({rerun.count('unchanged'):,} unchanged; {rewritten:,} rows/lines written)"
    figures.append((label, rerun_s, measure(engine, rerun_reads, [], where=where)))

    change_a_few(engine, org)
    before = last_xid(engine)
    changed_s, changed = timed(lambda: run_payroll(engine, MONTH, [org]))
    written = [
        written_after(table, org, before)
        for table in ("payroll", "payroll_items", "payroll_input_digests", "payroll_skips", "audit_logs")
    ]
    label = (
        f"re-run after a few changes ({changed.count('updated'):,} rows updated, "
        f"{changed.count('lines_written'):,} lines written)"
    )
    figures.append((label, changed_s, measure(engine, rerun_reads, written, where=where)))

    approve_s, approved = timed(lambda: run_payroll(engine, MONTH, [org], approve=True))
    notified = Output("notifications", "category = 'payroll' AND data ->> 'organizationId' = %(o)s", mine)
    written = [Output("payroll", of_org, mine), audit_rows(org, "APPROVE"), notified]
    label = f"approve ({approved.count('approved'):,} rows, audit, {approved.count('notified'):,} notifications)"
    figures.append((label, approve_s, measure(engine, ["employees", "payroll"], written, where=where)))
    engine.dispose()

    target = f"≤ {TARGET_SECONDS:.0f} s and ≤ {TARGET_RATIO:.0f}×"
    print()
    print(f"## payroll: {args.employees:,} employees, one organization, {MONTH:%Y-%m} ({dt.date.today()})")
    print()
    print(REPORT_HEADER)
    for label, seconds, limit in figures:
        print(report_row(f"payroll {label}", seconds, limit, target))
    print()
    for label, seconds, limit in figures:
        met = seconds <= TARGET_SECONDS and seconds <= TARGET_RATIO * limit.seconds
        print(f"{label.split(' (')[0]}: {seconds:.2f} s = {seconds / limit.seconds:.2f}× the limit -> "
              f"target {'met' if met else 'NOT met'}")  # fmt: skip
    print(f"load average (1/5/15 min): {load_average()}")


if __name__ == "__main__":
    main()
