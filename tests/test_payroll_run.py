"""Payroll runs against the real database: worked examples end to end (rows and breakdown), the
DRAFT → APPROVED → PAID lifecycle, skips, idempotence, and the month's checks.

Amounts are derived by hand in the comments (see tests/test_payroll_compute.py for the rules);
February 2026 has 20 working days (no holiday), January 2026 19 (1, 2 and 7 January off).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from sqlalchemy import text

from prometric_pipelines.payroll.run import PayrollError, check_month, organization_working_days, run_payroll
from tests.factories import make, make_tenant

FEB = dt.date(2026, 2, 1)
NOW = dt.datetime(2026, 3, 1, 1, 0)


def hire(conn, tenant, salary: str | None, *, hired=dt.date(2025, 6, 2), **info):
    """An active employee of the tenant with personalInfo built from the keyword arguments."""
    values = dict(
        organizationId=tenant["organization"]["id"],
        workspaceId=tenant["workspace"]["id"],
        hireDate=hired,
        salary=None if salary is None else Decimal(salary),
        personalInfo={"birthDate": "1990-05-05", **info},
    )
    return make(conn, "employees", **values)


def run(engine, tenant, month=FEB, **options):
    return run_payroll(engine, month, [str(tenant["organization"]["id"])], now=NOW, **options)


def row_of(conn, employee, month=FEB) -> dict:
    return dict(
        conn.execute(
            text('SELECT * FROM payroll WHERE "employeeId" = :e AND year = :y AND month = :m'),
            {"e": employee["id"], "y": month.year, "m": month.month},
        )
        .mappings()
        .one()
    )


def items_of(conn, employee, month=FEB) -> dict[str, tuple]:
    rows = conn.execute(
        text("""SELECT i.code, i.kind, i.base, i.rate, i.amount FROM payroll_items i
                JOIN payroll p ON p.id = i."payrollId" AND p."organizationId" = i."organizationId"
                WHERE p."employeeId" = :e AND p.year = :y AND p.month = :m"""),
        {"e": employee["id"], "y": month.year, "m": month.month},
    )
    return {r.code: (r.kind, r.base, r.rate, r.amount) for r in rows}


def amounts(items: dict[str, tuple]) -> dict[str, Decimal]:
    return {code: value[3] for code, value in items.items()}


def D(value: str) -> Decimal:
    return Decimal(value)


@pytest.fixture
def tenant(engine):
    with engine.begin() as conn:
        return make_tenant(conn)


def test_ordinary_2026_salary_row_and_full_breakdown(engine, tenant):
    with engine.begin() as conn:
        employee = hire(conn, tenant, "500000")
    report = run(engine, tenant)
    assert report.count("created") == 1 and report.skipped == []
    with engine.connect() as conn:
        row = row_of(conn, employee)
        items = items_of(conn, employee)
    # G 500,000; ОПВ 50,000 + ВОСМС 10,000 = 60,000; ИПН (500,000 − 60,000 − 129,750) × 10% = 31,025
    assert (row["basicSalary"], row["allowances"], row["deductions"], row["taxAmount"], row["netSalary"]) == (
        D("500000.00"), D("0.00"), D("60000.00"), D("31025.00"), D("408975.00"),
    )  # fmt: skip
    assert row["status"] == "DRAFT" and row["currency"] == "KZT"
    assert row["payrollNumber"] == "PAY-202602-000001"
    assert row["workspaceId"] == tenant["workspace"]["id"]
    assert row["notes"] == "paid days 20 of 20; overtime 0.00 h"
    # every line: kind, base, rate, amount (ОПВР 3.5% × 500,000; СО 5% × 450,000; ООСМС 3%; СН 6% × 440,000)
    assert items == {
        "BASIC": ("earning", D("500000.00"), None, D("500000.00")),
        "OVERTIME": ("earning", D("3125.00"), D("1.5"), D("0.00")),  # hourly 500,000 / (20 × 8)
        "OPV": ("withholding", D("500000.00"), D("0.1"), D("50000.00")),
        "VOSMS": ("withholding", D("500000.00"), D("0.02"), D("10000.00")),
        "IPN": ("tax", D("310250.00"), D("0.1"), D("31025.00")),
        "OPVR": ("employer", D("500000.00"), D("0.035"), D("17500.00")),
        "SO": ("employer", D("450000.00"), D("0.05"), D("22500.00")),
        "OOSMS": ("employer", D("500000.00"), D("0.03"), D("15000.00")),
        "SN": ("employer", D("440000.00"), D("0.06"), D("26400.00")),
    }
    assert report.organizations[0].totals["employer_contributions"] == D("81400.00")  # 17,500+22,500+15,000+26,400


def test_low_salary_2025_adjustment_end_to_end(engine, tenant):
    with engine.begin() as conn:
        employee = hire(conn, tenant, "90000", hired=dt.date(2024, 1, 10))
    run(engine, tenant, month=dt.date(2025, 3, 1))
    with engine.connect() as conn:
        row = row_of(conn, employee, dt.date(2025, 3, 1))
        items = amounts(items_of(conn, employee, dt.date(2025, 3, 1)))
    # B = 90,000 − 10,800 − 55,048 = 24,152 → ×10% (adjustment) = 2,415.20 → ИПН 241.52 → 242
    assert (row["deductions"], row["taxAmount"], row["netSalary"]) == (D("10800.00"), D("242.00"), D("78958.00"))
    # СО at its floor: 5% × 85,000; СН = 11% × 79,200 − 4,250
    assert items | {} == {
        "BASIC": D("90000.00"), "OVERTIME": D("0.00"), "OPV": D("9000.00"), "VOSMS": D("1800.00"),
        "IPN": D("242.00"), "OPVR": D("2250.00"), "SO": D("4250.00"), "OOSMS": D("2700.00"), "SN": D("4462.00"),
    }  # fmt: skip


def test_time_rules_unpaid_leave_absence_half_day_overtime_and_exemptions(engine, tenant):
    org, ws = tenant["organization"]["id"], tenant["workspace"]["id"]
    with engine.begin() as conn:
        unpaid = hire(conn, tenant, "400000")
        absent = hire(conn, tenant, "400000")
        overtime = hire(conn, tenant, "400000")
        pensioner = hire(conn, tenant, "300000", pensioner=True)
        old = hire(conn, tenant, "300000", birthDate=None, iin="700101300007")  # 1970, from the IIN
        foreign = hire(conn, tenant, "300000", resident=False)
        common = dict(organizationId=org, workspaceId=ws)
        # 3 unpaid working days (Tue 10 – Thu 12 Feb); a rejected unpaid request changes nothing
        make(conn, "leaves", employeeId=unpaid["id"], type="unpaid", status="APPROVED",
             startDate=dt.date(2026, 2, 10), endDate=dt.date(2026, 2, 12), totalDays=3, **common)  # fmt: skip
        make(conn, "leaves", employeeId=unpaid["id"], type="unpaid", status="REJECTED",
             startDate=dt.date(2026, 2, 16), endDate=dt.date(2026, 2, 16), totalDays=1, **common)  # fmt: skip
        # one ABSENT day, one HALF_DAY, and an ABSENT day covered by approved annual leave (paid)
        for day, status in ((3, "ABSENT"), (4, "HALF_DAY"), (5, "ABSENT")):
            make(conn, "attendance", employeeId=absent["id"], date=dt.date(2026, 2, day), status=status,
                 overtimeHours=0, **common)  # fmt: skip
        make(conn, "leaves", employeeId=absent["id"], type="annual", status="APPROVED",
             startDate=dt.date(2026, 2, 5), endDate=dt.date(2026, 2, 6), totalDays=2, **common)  # fmt: skip
        # 10 h overtime: 4 h on a weekday, 6 h on a Saturday
        for day, hours in ((9, "4"), (14, "6")):
            make(conn, "attendance", employeeId=overtime["id"], date=dt.date(2026, 2, day), status="PRESENT",
                 overtimeHours=Decimal(hours), **common)  # fmt: skip
    run(engine, tenant)
    with engine.connect() as conn:
        # 17 of 20 days: basic 340,000; ОПВ 34,000 + ВОСМС 6,800; ИПН (340,000 − 40,800 − 129,750) × 10% = 16,945
        assert amounts(items_of(conn, unpaid)) == {
            "BASIC": D("340000.00"), "OVERTIME": D("0.00"), "OPV": D("34000.00"), "VOSMS": D("6800.00"),
            "IPN": D("16945.00"), "OPVR": D("11900.00"), "SO": D("15300.00"), "OOSMS": D("10200.00"),
            "SN": D("17952.00"),
        }  # fmt: skip
        assert row_of(conn, unpaid)["netSalary"] == D("282255.00")
        # 20 − 1 (absent) − 0.5 (half day) = 18.5 days: 400,000 × 18.5 / 20 = 370,000 (5 Feb is annual leave: paid)
        assert row_of(conn, absent)["basicSalary"] == D("370000.00")
        assert row_of(conn, absent)["notes"] == "paid days 18.5 of 20; overtime 0.00 h"
        # overtime 10 × 2,500 × 1.5 = 37,500; ОПВР 15,312.5 → 15,313 and СО 19,687.5 → 19,688 (half up)
        assert amounts(items_of(conn, overtime)) == {
            "BASIC": D("400000.00"), "OVERTIME": D("37500.00"), "OPV": D("43750.00"), "VOSMS": D("8750.00"),
            "IPN": D("25525.00"), "OPVR": D("15313.00"), "SO": D("19688.00"), "OOSMS": D("13125.00"),
            "SN": D("23100.00"),
        }  # fmt: skip
        ot = row_of(conn, overtime)
        assert (ot["allowances"], ot["deductions"], ot["taxAmount"], ot["netSalary"]) == (
            D("37500.00"), D("52500.00"), D("25525.00"), D("359475.00"),
        )  # fmt: skip
        # pensioner: no ОПВ, no ОПВР; ИПН (300,000 − 6,000 − 129,750) × 10% = 16,425
        p = amounts(items_of(conn, pensioner))
        assert (p["OPV"], p["VOSMS"], p["IPN"], p["OPVR"], p["SO"], p["SN"]) == (
            D("0.00"), D("6000.00"), D("16425.00"), D("0.00"), D("15000.00"), D("17640.00"),
        )  # fmt: skip
        # born 1970 (IIN 700101, century digit 3): ОПВ as usual, no ОПВР
        o = amounts(items_of(conn, old))
        assert (o["OPV"], o["IPN"], o["OPVR"], o["SO"]) == (D("30000.00"), D("13425.00"), D("0.00"), D("13500.00"))
        # non-resident: no deduction: (300,000 − 36,000) × 10% = 26,400
        f = items_of(conn, foreign)
        assert f["IPN"][1:] == (D("264000.00"), D("0.1"), D("26400.00"))
        assert row_of(conn, foreign)["netSalary"] == D("237600.00")


def test_hire_on_the_15th_of_january_2026(engine, tenant):
    with engine.begin() as conn:
        employee = hire(conn, tenant, "600000", hired=dt.date(2026, 1, 15))
        later = hire(conn, tenant, "600000", hired=dt.date(2026, 2, 1))  # not yet employed in January
    report = run(engine, tenant, month=dt.date(2026, 1, 1))
    assert report.count("created") == 1
    with engine.connect() as conn:
        row = row_of(conn, employee, dt.date(2026, 1, 1))
        items = amounts(items_of(conn, employee, dt.date(2026, 1, 1)))
        assert (
            conn.execute(text('SELECT count(*) FROM payroll WHERE "employeeId" = :e'), {"e": later["id"]}).scalar() == 0
        )
    # 12 of 19 working days: 600,000 × 12 / 19 = 378,947.37
    assert (row["basicSalary"], row["deductions"], row["taxAmount"], row["netSalary"]) == (
        D("378947.37"), D("45474.00"), D("20372.00"), D("313101.37"),
    )  # fmt: skip
    assert (items["OPVR"], items["SO"], items["OOSMS"], items["SN"]) == (
        D("13263.00"), D("17053.00"), D("11368.00"), D("20008.00"),
    )  # fmt: skip


def test_crossing_the_threshold_uses_the_year_to_date_of_earlier_rows(engine, tenant):
    org = tenant["organization"]["id"]
    with engine.begin() as conn:
        employee = hire(conn, tenant, "5000000")
        earlier = make(conn, "payroll", organizationId=org, workspaceId=tenant["workspace"]["id"],
                       employeeId=employee["id"], year=2026, month=8, status="PAID", basicSalary=D("1"),
                       netSalary=D("1"))  # fmt: skip
        make(conn, "payroll_items", payrollId=earlier["id"], organizationId=org, code="IPN", kind="tax",
             base=D("34000000"), amount=D("3400000"))  # fmt: skip
    september = dt.date(2026, 9, 1)
    run(engine, tenant, month=september)
    with engine.connect() as conn:
        row = row_of(conn, employee, september)
        ipn = items_of(conn, employee, september)["IPN"]
        details = conn.execute(
            text("""SELECT i.details FROM payroll_items i JOIN payroll p ON p.id = i."payrollId"
                    AND p."organizationId" = i."organizationId" WHERE p.id = :p AND i.code = 'IPN'"""),
            {"p": row["id"]},
        ).scalar_one()
    # room 36,762,500 − 34,000,000 = 2,762,500 at 10%; 1,648,750 at 15%: 276,250 + 247,312.5 → 523,563
    assert row["taxAmount"] == D("523563.00") and row["netSalary"] == D("4017437.00")
    assert ipn == ("tax", D("4411250.00"), None, D("523563.00"))  # two bands: rate in the details
    assert details["yearToDateBefore"] == 34000000 and details["baseAtHighRate"] == 1648750


def test_bad_data_is_skipped_with_a_reason_and_the_others_are_paid(engine, tenant):
    with engine.begin() as conn:
        good = hire(conn, tenant, "250000")
        no_salary = hire(conn, tenant, None)
        negative = hire(conn, tenant, "-5000")
        dollars = make(conn, "employees", organizationId=tenant["organization"]["id"],
                       workspaceId=tenant["workspace"]["id"], hireDate=dt.date(2025, 1, 1),
                       salary=D("3000"), currency="USD")  # fmt: skip
        flag = hire(conn, tenant, "250000", pensioner="yes")
        birth = hire(conn, tenant, "250000", birthDate="05/05/1990")
        no_hire = make(conn, "employees", organizationId=tenant["organization"]["id"],
                       workspaceId=tenant["workspace"]["id"], salary=D("100000"))  # fmt: skip
        terminated = hire(conn, tenant, "250000")
        conn.execute(text("UPDATE employees SET status = 'terminated' WHERE id = :e"), {"e": terminated["id"]})
    report = run(engine, tenant)
    reasons = {employee: reason for _org, employee, _code, reason in report.skipped}
    assert reasons == {
        str(no_salary["id"]): "no salary",
        str(negative["id"]): "negative salary -5000.00",
        str(dollars["id"]): "salary in USD has no exchange rate to KZT",
        str(flag["id"]): "personalInfo.pensioner is not true or false",
        str(birth["id"]): "personalInfo.birthDate is not a date (YYYY-MM-DD): 05/05/1990",
        str(no_hire["id"]): "no hire date",
    }
    assert report.count("created") == 1
    with engine.connect() as conn:
        assert row_of(conn, good)["netSalary"] > 0
        stored = conn.execute(
            text('SELECT count(*) FROM payroll_skips WHERE "organizationId" = :o AND year = 2026 AND month = 2'),
            {"o": tenant["organization"]["id"]},
        ).scalar()
    assert stored == 6
    assert all(outcome.passed for outcome in check_month(engine, FEB, [str(tenant["organization"]["id"])]))
    lines = "\n".join(report.lines())
    assert "skipped 6" in lines and "no exchange rate to KZT" in lines


def test_organization_calendar_overrides_and_unmarked_attendance(engine):
    # an extra day off (Mon 2 Feb) and a worked Saturday (14 Feb): still 20 days, other days
    days, unmarked = organization_working_days(FEB, {"holidays": ["2026-02-02"], "workingDays": ["2026-02-14"]})
    assert len(days) == 20 and dt.date(2026, 2, 2) not in days and dt.date(2026, 2, 14) in days
    assert unmarked == "present"
    with pytest.raises(ValueError, match=re.escape("settings.payroll.holidays entry 'x' is not a date")):
        organization_working_days(FEB, {"holidays": ["x"]})
    with engine.begin() as conn:
        tenant = make_tenant(conn)
        conn.execute(
            text(
                """UPDATE organizations SET settings = '{"payroll": {"unmarkedAttendance": "absent"}}' WHERE id = :o"""
            ),
            {"o": tenant["organization"]["id"]},
        )
        employee = hire(conn, tenant, "400000")
        for day in range(2, 7):  # marked Mon 2 – Fri 6 Feb; the other 15 working days count as absent
            make(conn, "attendance", organizationId=tenant["organization"]["id"],
                 workspaceId=tenant["workspace"]["id"], employeeId=employee["id"], date=dt.date(2026, 2, day),
                 status="PRESENT", overtimeHours=0)  # fmt: skip
    run(engine, tenant)
    with engine.connect() as conn:
        assert row_of(conn, employee)["basicSalary"] == D("100000.00")  # 400,000 × 5 / 20


def test_rerun_of_a_draft_month_gives_identical_rows_and_changes_are_audited(engine, tenant):
    org = str(tenant["organization"]["id"])
    with engine.begin() as conn:
        employees = [hire(conn, tenant, str(200_000 + 10_000 * i)) for i in range(5)]

    def snapshot():
        with engine.connect() as conn:
            return {
                table: conn.execute(
                    text(f'SELECT t::text FROM {table} t WHERE "organizationId" = :o ORDER BY 1'), {"o": org}
                )
                .scalars()
                .all()
                for table in ("payroll", "payroll_items", "payroll_skips", "audit_logs")
            }

    run(engine, tenant)
    first = snapshot()
    assert len(first["payroll"]) == 5 and len(first["payroll_items"]) == 45
    assert sum('"CREATE"' in a or ",CREATE," in a for a in first["audit_logs"]) == 5
    second_report = run(engine, tenant)
    assert second_report.count("unchanged") == 5 and second_report.count("created") == 0
    assert snapshot() == first  # same ids, numbers, amounts, breakdown, no new audit rows

    with engine.begin() as conn:
        conn.execute(text("UPDATE employees SET salary = 300000 WHERE id = :e"), {"e": employees[0]["id"]})
    third = run(engine, tenant)
    assert (third.count("updated"), third.count("unchanged")) == (1, 4)
    with engine.connect() as conn:
        audit = conn.execute(
            text("""SELECT "oldValue", "newValue" FROM audit_logs
                    WHERE "organizationId" = :o AND entity = 'payroll' AND action = 'UPDATE'"""),
            {"o": org},
        ).one()
        assert row_of(conn, employees[0])["basicSalary"] == D("300000.00")
    assert (audit.oldValue["basicSalary"], audit.newValue["basicSalary"]) == (200000.00, 300000.00)
    assert audit.newValue["netSalary"] == 250575.0  # 300,000 − 36,000 − (300,000 − 36,000 − 129,750) × 10% = 13,425


def test_approve_notifies_locks_rows_and_mark_paid(engine, tenant):
    org = str(tenant["organization"]["id"])
    with engine.begin() as conn:
        first, second = hire(conn, tenant, "350000"), hire(conn, tenant, "450000")
    run(engine, tenant)
    approved = run(engine, tenant, approve=True)
    assert (approved.count("approved"), approved.count("notified")) == (2, 2)
    with engine.connect() as conn:
        notes = conn.execute(
            text("""SELECT n."userId", n.title, n.category, n.data FROM notifications n
                    WHERE n.category = 'payroll' AND n."userId" IN (:a, :b) ORDER BY n.title"""),
            {"a": first["userId"], "b": second["userId"]},
        ).all()
        locked_before = (
            conn.execute(text("""SELECT p::text FROM payroll p WHERE p."organizationId" = :o ORDER BY 1"""), {"o": org})
            .scalars()
            .all()
        )
        items_before = (
            conn.execute(
                text("""SELECT i::text FROM payroll_items i WHERE i."organizationId" = :o ORDER BY 1"""), {"o": org}
            )
            .scalars()
            .all()
        )
    assert {n.userId for n in notes} == {first["userId"], second["userId"]}
    assert {n.title for n in notes} == {"Payslip for 2026-02 is ready"}
    assert {n.data["organizationId"] for n in notes} == {org}

    # salary changes after approval: a re-run reports the rows as locked and changes nothing
    with engine.begin() as conn:
        conn.execute(text("UPDATE employees SET salary = 999999 WHERE id = :e"), {"e": first["id"]})
        third = hire(conn, tenant, "200000")  # a new employee still gets a DRAFT
    rerun = run(engine, tenant)
    assert rerun.organizations[0].locked == {"APPROVED": 2} and rerun.count("created") == 1
    with engine.connect() as conn:
        assert (
            conn.execute(
                text("""SELECT p::text FROM payroll p WHERE p."organizationId" = :o AND p.status = 'APPROVED'
                    ORDER BY 1"""),
                {"o": org},
            )
            .scalars()
            .all()
            == locked_before
        )
        assert (
            conn.execute(
                text("""SELECT i::text FROM payroll_items i JOIN payroll p ON p.id = i."payrollId"
                    AND p."organizationId" = i."organizationId"
                    WHERE i."organizationId" = :o AND p.status = 'APPROVED' ORDER BY 1"""),
                {"o": org},
            )
            .scalars()
            .all()
            == items_before
        )
        assert row_of(conn, third)["status"] == "DRAFT"

    paid = run(engine, tenant, mark_paid=True, payment_date=dt.date(2026, 3, 5))
    assert paid.count("paid") == 2
    with engine.connect() as conn:
        statuses = conn.execute(
            text("""SELECT status, "paymentDate", count(*) FROM payroll WHERE "organizationId" = :o
                    GROUP BY 1, 2 ORDER BY 1"""),
            {"o": org},
        ).all()
        actions = conn.execute(
            text("""SELECT action, count(*) FROM audit_logs WHERE "organizationId" = :o AND entity = 'payroll'
                    GROUP BY 1 ORDER BY 1"""),
            {"o": org},
        ).all()
    assert statuses == [("DRAFT", None, 1), ("PAID", dt.date(2026, 3, 5), 2)]
    assert actions == [("APPROVE", 2), ("CREATE", 3), ("UPDATE", 2)]  # UPDATE = APPROVED → PAID


def test_a_draft_of_an_employee_who_left_is_removed_with_an_audit_row(engine, tenant):
    with engine.begin() as conn:
        stays, leaves_ = hire(conn, tenant, "300000"), hire(conn, tenant, "300000")
    run(engine, tenant)
    with engine.begin() as conn:
        conn.execute(text("UPDATE employees SET status = 'terminated' WHERE id = :e"), {"e": leaves_["id"]})
    report = run(engine, tenant)
    assert report.count("removed") == 1 and report.count("unchanged") == 1
    with engine.connect() as conn:
        left = conn.execute(
            text("""SELECT count(*) FROM payroll WHERE "employeeId" = :e"""), {"e": leaves_["id"]}
        ).scalar()
        deleted = conn.execute(
            text("""SELECT "oldValue"->>'employeeId' FROM audit_logs WHERE action = 'DELETE' AND entity = 'payroll'
                    AND "organizationId" = :o"""),
            {"o": tenant["organization"]["id"]},
        ).scalar_one()
        orphans = conn.execute(
            text("""SELECT count(*) FROM payroll_items i WHERE NOT EXISTS
                    (SELECT 1 FROM payroll p WHERE p.id = i."payrollId" AND p."organizationId" = i."organizationId")""")
        ).scalar()
    assert left == 0 and deleted == str(leaves_["id"]) and orphans == 0
    with engine.connect() as conn:
        assert row_of(conn, stays)["status"] == "DRAFT"


def test_a_year_without_parameters_is_refused(engine, tenant):
    with pytest.raises(PayrollError, match="no payroll parameters for 2024"):
        run(engine, tenant, month=dt.date(2024, 12, 1))
