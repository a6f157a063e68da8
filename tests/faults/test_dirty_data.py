"""Dirty ERP data and numbers at the edge of their columns (docs/data-quality.md).

Organization BAD carries one row of each kind of malformation the jobs meet; organization CLEAN has
ordinary rows. Every job (payroll compute + approve, daily metrics, monthly and yearly rollups, KPIs,
stock reconciliation with --apply) runs on a database holding both and on one holding CLEAN alone:
CLEAN's rows must be the same in both, BAD's skips are recorded with the reasons and counts worked
out by hand below, and nothing overflows.

BAD (Asia/Almaty, one workspace), January 2026:
* orders on 01-15 (10:00 local): a good SALES order of 100, a 'cancelled' (lower case) one of 700 —
  counted as cancelled, not revenue —, and six skipped ones: status NULL, type NULL, totalAmount
  NULL, totalAmount −5, status 'LOST' (unknown), currency 'XYZ' (no rate). On 01-20 and 01-21 one
  order each of 9,999,999,999,999.99: each day fits NUMERIC(15,2), January's and 2026's revenue
  (20,000,000,000,099.98) do not → skipped at the monthly and yearly steps with their value.
* employees hired 2025-01-01: ACTIVE (status 'ACTIVE', 300,000: paid), RICH (9,999,999,999,999.99:
  paid; then January's payroll_gross 9,999,999,999,999.99 + 300,000 = 10,000,000,299,999.99
  overflows → skipped), OT (999.99 overtime hours on 01-15), LEAVE (approved leave 01-20..01-10),
  JSON (personalInfo a JSON string), NOSTATUS (status NULL).
* a KPI 'huge' = 9999999999999.995, daily: rounds to 10^13 → 31 skipped values, one per day.
* stock: an inventory row of 999,999,999,999.999 units of a product costing 9,999,999,999,999.99,
  with no movements: the value impacts (~10^25) do not fit NUMERIC(18,2) → stored as NULL.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import dagster as dg
import pytest
from sqlalchemy import text

from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.defs.metrics.assets import daily_metrics
from prometric_pipelines.lib.resources import PostgresResource
from prometric_pipelines.metrics.periods import PERIODS
from prometric_pipelines.metrics.run import compute_daily, compute_kpis, compute_rollup
from prometric_pipelines.payroll.run import run_payroll
from prometric_pipelines.stock.reconcile import reconcile
from tests.factories import make

pytestmark = pytest.mark.faults

BAD_ORG, BAD_WS = "0b000000-0000-4000-8000-000000000001", "0b000000-0000-4000-8000-000000000002"
CLEAN_ORG, CLEAN_WS = "0c000000-0000-4000-8000-000000000001", "0c000000-0000-4000-8000-000000000002"
JAN1, JAN31 = dt.date(2026, 1, 1), dt.date(2026, 1, 31)
HUGE = Decimal("9999999999999.99")


def _utc(day: int, hour: int) -> dt.datetime:
    """A January 2026 local time in Asia/Almaty (UTC+5) as the stored UTC timestamp."""
    return dt.datetime(2026, 1, day, hour) - dt.timedelta(hours=5)


def _tenant(conn, org: str, ws: str) -> dict[str, Any]:
    owner = make(conn, "users", role="owner", status="active")
    make(conn, "organizations", id=org, createdBy=owner["id"])
    make(conn, "workspaces", id=ws, organizationId=org, isDefault=True, name="Main")
    return {"organizationId": org, "workspaceId": ws}


def _employee(conn, at: dict[str, Any], code: str, salary: Decimal | None = Decimal(300000), **extra) -> dict:
    values = {"status": "active", "personalInfo": {"resident": True}, **extra}
    return make(conn, "employees", **at, employeeCode=code, hireDate=dt.date(2025, 1, 1), salary=salary, **values)


def build_clean(conn) -> None:
    at = _tenant(conn, CLEAN_ORG, CLEAN_WS)
    make(conn, "orders", **at, orderDate=_utc(15, 10), totalAmount=Decimal(500), status="DELIVERED")
    worker = _employee(conn, at, "CLEAN-1")
    make(conn, "attendance", **at, employeeId=worker["id"], date=dt.date(2026, 1, 15), status="PRESENT",
         overtimeHours=Decimal(2))  # fmt: skip
    make(conn, "leaves", **at, employeeId=worker["id"], startDate=dt.date(2026, 1, 12), endDate=dt.date(2026, 1, 13),
         status="APPROVED", type="annual", totalDays=2)  # fmt: skip
    make(conn, "kpi_definitions", organizationId=CLEAN_ORG, name="double_revenue", formula="orders_revenue * 2",
         frequency="daily")  # fmt: skip


def build_bad(conn) -> None:
    at = _tenant(conn, BAD_ORG, BAD_WS)

    def order(total, day=15, **extra):
        values = {"status": "DELIVERED", "type": "SALES", **extra}
        make(conn, "orders", **at, orderDate=_utc(day, 10), totalAmount=total, **values)

    order(Decimal(100))
    order(Decimal(700), status="cancelled")
    order(Decimal(1), status=None)
    order(Decimal(2), type=None)
    order(None)
    order(Decimal(-5))
    order(Decimal(3), status="LOST")
    order(Decimal(4), currency="XYZ")
    order(HUGE, day=20)
    order(HUGE, day=21)

    _employee(conn, at, "ACTIVE", status="ACTIVE")
    _employee(conn, at, "RICH", salary=HUGE)
    overtime = _employee(conn, at, "OT")
    make(conn, "attendance", **at, employeeId=overtime["id"], date=dt.date(2026, 1, 15), status="PRESENT",
         overtimeHours=Decimal("999.99"))  # fmt: skip
    leave = _employee(conn, at, "LEAVE")
    make(conn, "leaves", **at, employeeId=leave["id"], startDate=dt.date(2026, 1, 20), endDate=dt.date(2026, 1, 10),
         status="APPROVED", type="annual", totalDays=1)  # fmt: skip
    _employee(conn, at, "JSON", personalInfo='{"resident": true')  # a JSON string, not an object
    _employee(conn, at, "NOSTATUS", status=None)

    make(conn, "kpi_definitions", organizationId=BAD_ORG, name="huge", formula="9999999999999.995", frequency="daily")

    product = make(conn, "products", **at, cost=HUGE, type="PRODUCT", status="ACTIVE", minStock=Decimal(0))
    warehouse = make(conn, "warehouses", **at)
    make(conn, "inventory", **at, warehouseId=warehouse["id"], productId=product["id"],
         quantity=Decimal("999999999999.999"))  # fmt: skip


def run_every_job(engine) -> dict[str, Any]:
    now = dt.datetime(2026, 2, 2, 9, 0)
    results: dict[str, Any] = {"payroll": run_payroll(engine, JAN1, now=now)}
    run_payroll(engine, JAN1, approve=True, now=now)
    results["daily"] = compute_daily(engine, JAN1, JAN31, run_id="faults")
    results["monthly"] = compute_rollup(engine, PERIODS["monthly"], JAN1, JAN31, run_id="faults")
    results["yearly"] = compute_rollup(engine, PERIODS["yearly"], JAN1, JAN31, run_id="faults")
    results["kpi"] = compute_kpis(engine, JAN1, JAN31, run_id="faults")
    results["stock"] = reconcile(engine, dt.date(2026, 2, 1), apply=True, run_key="faults")
    return results


@pytest.fixture(scope="module")
def runs(databases, template_database):
    """Every job run on (both organizations) and on (CLEAN alone)."""
    out = {}
    for name, builders in (("both", (build_bad, build_clean)), ("clean", (build_clean,))):
        engine = create_db_engine(databases.create(f"faults_dirty_{name}", template=template_database))
        with engine.begin() as conn:
            for build in builders:
                build(conn)
        out[name] = (engine, run_every_job(engine))
    yield out
    for engine, _ in out.values():
        engine.dispose()


def _clean_rows(engine) -> dict[str, list[tuple]]:
    queries = {
        "metrics": """SELECT "workspaceId", name, type, period, date, value, "previousValue", change, target
                      FROM metrics WHERE "organizationId" = :o ORDER BY name, period, date""",
        "payroll": """SELECT e."employeeCode", p."payrollNumber", p."basicSalary", p.allowances, p.deductions,
                             p."taxAmount", p."netSalary", p.status
                      FROM payroll p JOIN employees e ON e.id = p."employeeId"
                      WHERE p."organizationId" = :o ORDER BY 1""",
        "payroll_items": """SELECT p."payrollNumber", i.code, i.base, i.rate, i.amount FROM payroll_items i
                            JOIN payroll p ON p.id = i."payrollId" WHERE i."organizationId" = :o ORDER BY 1, 2""",
        "skips": """SELECT reason FROM payroll_skips WHERE "organizationId" = :o
                    UNION ALL SELECT reason FROM metrics_skipped_rows WHERE "organizationId" = :o""",
        "stock": """SELECT kind, expected, actual, "valueImpact" FROM stock_discrepancies
                    WHERE "organizationId" = :o ORDER BY 1""",
    }
    with engine.connect() as conn:
        return {name: [tuple(r) for r in conn.execute(text(sql), {"o": CLEAN_ORG})] for name, sql in queries.items()}


def test_the_clean_organization_is_unaffected_by_the_bad_one(runs):
    both, alone = _clean_rows(runs["both"][0]), _clean_rows(runs["clean"][0])
    assert both == alone
    # and the clean run did compute something: January's 500 of revenue, a paid employee, no skip
    assert ("orders_revenue", "monthly", JAN1, Decimal("500.00")) in [(r[1], r[3], r[4], r[5]) for r in both["metrics"]]
    assert [r[0] for r in both["payroll"]] == ["CLEAN-1"] and both["skips"] == []


def _bad_metric_skips(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text("""SELECT step, date, source, reason, detail, value, rows FROM metrics_skipped_rows
                        WHERE "organizationId" = :o AND step <> 'kpi_daily'
                        ORDER BY step, date, source, reason"""),
                {"o": BAD_ORG},
            )
        ]


def test_bad_rows_of_the_metrics_job_are_skipped_with_their_reasons(runs):
    engine, results = runs["both"]
    with engine.connect() as conn:
        leave_id = conn.execute(text("""SELECT CAST(id AS text) FROM leaves WHERE "endDate" < "startDate" """)).scalar()
    d15, d20 = dt.date(2026, 1, 15), dt.date(2026, 1, 20)
    revenue, gross = "20000000000099.98", "10000000299999.99"
    assert _bad_metric_skips(engine) == [
        ("daily", d15, "attendance", "impossible overtimeHours", None, "999.99", 1),
        ("daily", d15, "orders", "negative totalAmount", None, None, 1),
        ("daily", d15, "orders", "no exchange rate", "XYZ", None, 1),
        ("daily", d15, "orders", "status is NULL", None, None, 1),
        ("daily", d15, "orders", "totalAmount is NULL", None, None, 1),
        ("daily", d15, "orders", "type is NULL", None, None, 1),
        ("daily", d15, "orders", "unknown status", "LOST", None, 1),
        ("daily", d20, "leaves", "approved leave ends before it starts", leave_id, "2026-01-20..2026-01-10", 1),
        ("daily", JAN31, "employees", "status is NULL", None, None, 1),
        ("monthly", JAN1, "metrics", "value out of range for NUMERIC(15,2)",
         f"orders_revenue monthly 2026-01-01 workspace {BAD_WS}", revenue, 1),
        ("monthly", JAN1, "metrics", "value out of range for NUMERIC(15,2)",
         f"payroll_gross monthly 2026-01-01 workspace {BAD_WS}", gross, 1),
        ("yearly", JAN1, "metrics", "value out of range for NUMERIC(15,2)",
         f"orders_revenue yearly 2026-01-01 workspace {BAD_WS}", revenue, 1),
        ("yearly", JAN1, "metrics", "value out of range for NUMERIC(15,2)",
         f"payroll_gross yearly 2026-01-01 workspace {BAD_WS}", gross, 1),
    ]  # fmt: skip
    # the KPI: one value per January day, each recorded with its value, none written
    with engine.connect() as conn:
        kpi = conn.execute(
            text("""SELECT count(*), count(DISTINCT date), min(value), max(value), sum(rows) FROM metrics_skipped_rows
                    WHERE "organizationId" = :o AND step = 'kpi_daily'"""),
            {"o": BAD_ORG},
        ).one()
        written = conn.execute(text("SELECT count(*) FROM metrics WHERE name = 'huge'")).scalar()
    assert tuple(kpi) == (31, 31, "9999999999999.995", "9999999999999.995", 31) and written == 0
    # the run metadata carries the same counts: 6 orders + 1 attendance + 1 leave + 1 employee at the daily step
    bad_daily = [s for s in results["daily"].skipped if s["organizationId"] == BAD_ORG]
    assert sum(s["rows"] for s in bad_daily) == 9
    assert sum(s["rows"] for s in results["monthly"].skipped) == 2
    assert sum(s["rows"] for s in results["kpi"].skipped) == 31


def test_documented_rules_count_what_they_should(runs):
    engine, _ = runs["both"]
    with engine.connect() as conn:
        values = dict(
            conn.execute(
                text("""SELECT name || ' ' || date, value FROM metrics WHERE "organizationId" = :o AND period = 'daily'
                        AND (name, date) IN (('orders_revenue', '2026-01-15'), ('orders_cancelled', '2026-01-15'),
                                             ('orders_count', '2026-01-15'), ('headcount', '2026-01-31'),
                                             ('overtime_hours', '2026-01-15'), ('orders_revenue', '2026-01-20'))"""),
                {"o": BAD_ORG},
            ).all()
        )
    assert values == {
        "orders_revenue 2026-01-15": Decimal("100.00"),  # 'cancelled' is CANCELLED: not revenue
        "orders_cancelled 2026-01-15": Decimal("1.00"),
        "orders_count 2026-01-15": Decimal("1.00"),
        "headcount 2026-01-31": Decimal("5.00"),  # 'ACTIVE' counts; NULL status is skipped
        "overtime_hours 2026-01-15": Decimal("0.00"),  # 999.99 h left out
        "orders_revenue 2026-01-20": HUGE,  # fits the column: written
    }


def test_bad_employees_are_skipped_with_their_reasons_and_the_others_paid(runs):
    engine, results = runs["both"]
    with engine.connect() as conn:
        paid = conn.execute(
            text("""SELECT e."employeeCode", p."basicSalary", p.status FROM payroll p
                    JOIN employees e ON e.id = p."employeeId" WHERE p."organizationId" = :o ORDER BY 1"""),
            {"o": BAD_ORG},
        ).all()
        skipped = conn.execute(
            text("""SELECT e."employeeCode", s.reason FROM payroll_skips s
                    JOIN employees e ON e.id = s."employeeId" WHERE s."organizationId" = :o ORDER BY 1"""),
            {"o": BAD_ORG},
        ).all()
    assert [tuple(r) for r in paid] == [("ACTIVE", Decimal("300000.00"), "APPROVED"), ("RICH", HUGE, "APPROVED")]
    assert [tuple(r) for r in skipped] == [
        ("JSON", "personalInfo is not a JSON object"),
        ("LEAVE", "approved leave ends before it starts: 2026-01-20..2026-01-10"),
        ("NOSTATUS", "status is NULL"),
        ("OT", "impossible hours on 2026-01-15: overtimeHours 999.99, totalHours NULL"),
    ]
    assert results["payroll"].metadata()["skipped"] == 4


def test_stock_values_out_of_range_are_kept_as_text_not_overflowed(runs):
    engine, results = runs["both"]
    bad = next(org for org in results["stock"].organizations if org.organization_id == BAD_ORG)
    assert bad.values_out_of_range == 2
    with engine.connect() as conn:
        rows = conn.execute(
            text("""SELECT kind, "valueImpact", details -> 'outOfRange' ->> 'valueImpact' FROM stock_discrepancies
                    WHERE "organizationId" = :o AND details ? 'outOfRange' ORDER BY kind"""),
            {"o": BAD_ORG},
        ).all()
        posted = (
            conn.execute(
                text("""SELECT quantity FROM stock_movements WHERE "organizationId" = :o AND type = 'ADJUSTMENT'"""),
                {"o": BAD_ORG},
            )
            .scalars()
            .all()
        )
    # the count is 999,999,999,999.999 units against an empty ledger: impact = −(that × cost) for the
    # ledger finding; the product's cached stock (0) against the count: the same magnitude
    impact = Decimal("999999999999.999") * HUGE
    assert [(r[0], r[1], Decimal(r[2])) for r in rows] == [
        ("inventory_vs_product", None, -impact.quantize(Decimal("0.01"))),
        ("ledger_vs_inventory", None, impact.quantize(Decimal("0.01"))),
    ]
    assert posted == [Decimal("999999999999.999")]  # the quantity fits: the adjustment is posted


def test_the_dagster_run_metadata_carries_the_skip_counts(runs):
    """daily_metrics materialized for 01-15 through Dagster: 6 orders, 1 attendance row and the employee
    with a NULL status (dated the window's last day) of BAD are left out — 8 rows, by reason; CLEAN none.
    Re-running the day rewrites the same rows (the other tests' expectations hold afterwards)."""
    engine, _ = runs["both"]
    url = engine.url.render_as_string(hide_password=False)
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [daily_metrics],
            resources={"postgres": PostgresResource(database_url=url)},
            instance=instance,
            partition_key="2026-01-15",
        )
    assert result.success
    event = result.get_asset_materialization_events()[0]
    metadata = {k: v.value for k, v in event.materialization.metadata.items()}
    assert metadata["skipped_rows"] == 8
    by_reason = {(s["source"], s["reason"]): s["rows"] for s in metadata["skipped_by_reason"]}
    assert by_reason == {
        ("attendance", "impossible overtimeHours"): 1,
        ("employees", "status is NULL"): 1,
        **{("orders", reason): 1 for reason in ("negative totalAmount", "no exchange rate", "status is NULL",
                                                 "totalAmount is NULL", "type is NULL", "unknown status")},
    }  # fmt: skip
    assert {s["organizationId"] for s in metadata["skipped_by_reason"]} == {BAD_ORG}
    checks = {c.check_name: c.passed for c in result.get_asset_check_evaluations()}
    assert checks["skipped_currency_rows"] is False and checks["orders_revenue_reconciles"] is True
