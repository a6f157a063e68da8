"""Every catalog metric, rollup and KPI against hand-made data (tests/metrics_data.py: the figures are
derived there by hand), computed by the real SQL on the real PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import text

from prometric_pipelines.metrics.catalog import CATALOG
from prometric_pipelines.metrics.periods import MONTHLY, ROLLUPS, WEEKLY
from prometric_pipelines.metrics.run import _begin, compute_daily, compute_kpis, compute_rollup
from tests.metrics_data import D, build, day

START, END = day(1), day(15)
KEY = "name = :n AND period = :p AND date = :d"


@pytest.fixture(scope="module")
def data(engine):
    with engine.begin() as conn:
        ids = build(conn)
    daily = compute_daily(engine, START, END, run_id="test")
    rollups = {p.name: compute_rollup(engine, p, START, END, run_id="test") for p in ROLLUPS}
    kpis = compute_kpis(engine, START, END, run_id="test")
    return {**ids, "daily": daily, "rollups": rollups, "kpis": kpis}


@pytest.fixture(scope="module")
def value(engine, data):
    def get(name: str, when: dt.date, period: str = "daily", workspace: str | None = None, column: str = "value"):
        with engine.connect() as conn:
            rows = (
                conn.execute(
                    text(f'SELECT "{column}" FROM metrics WHERE "workspaceId" = :ws AND {KEY}'),
                    {"ws": workspace or data["ws"], "n": name, "p": period, "d": when},
                )
                .scalars()
                .all()
            )
        assert len(rows) <= 1
        return rows[0] if rows else None

    return get


def test_sales_metrics_of_d(value):
    # counted orders of D: o1 1000, o2 500 (01:00 local, the previous day in UTC), o5 10 USD × 500
    assert value("orders_count", D) == 3
    assert value("orders_revenue", D) == Decimal("6500.00")
    assert value("average_order_value", D) == Decimal("2166.67")
    assert value("orders_cancelled", D) == 1
    assert value("active_customers", D) == 2  # C1 twice, C2
    assert value("new_customers", D) == 2  # C1 and C3 (23:30 local); C4 is soft-deleted
    assert value("gross_profit", D) == Decimal("5300.00")
    assert value("purchases_amount", D) == Decimal("2000.00")
    # the UTC day before holds nothing of o2
    assert value("orders_count", day(9)) == 0


def test_ratio_metadata_keeps_numerator_and_denominator(engine, data):
    with engine.connect() as conn:
        metadata = conn.execute(
            text("""SELECT metadata FROM metrics WHERE "workspaceId" = :ws AND name = 'average_order_value'
                    AND period = 'daily' AND date = :d"""),
            {"ws": data["ws"], "d": D},
        ).scalar_one()
    assert Decimal(str(metadata["numerator"])) == 6500 and Decimal(str(metadata["denominator"])) == 3
    assert metadata["run_id"] == "test" and "computed_at" in metadata


def test_foreign_currency_without_rate_is_skipped_and_counted(data):
    skipped = data["daily"].skipped
    assert skipped == [
        {"organizationId": str(data["org"]), "step": "daily", "source": "orders", "reason": "no exchange rate",
         "detail": "CNY", "rows": 1}
    ]  # fmt: skip


def test_crm_metrics(value):
    assert value("deals_created", day(1)) == 2 and value("deals_created", day(5)) == 2
    assert value("deals_created", D) == 0  # d5 is soft-deleted
    assert value("deals_won", D) == 1 and value("deals_lost", D) == 1
    assert value("deals_won_value", D) == Decimal("1000.00")
    assert value("win_rate", D) == Decimal("50.00")
    assert value("win_rate", day(9)) is None  # no deal closed: zero denominator, no row
    # open at the end of 03-09: d1..d4; at the end of D: d3 and d4 (won on 03-12, after D)
    assert value("pipeline_value", day(9)) == Decimal("4000.00")
    assert value("weighted_pipeline_value", day(9)) == Decimal("1660.00")
    assert value("pipeline_value", D) == Decimal("2600.00")
    assert value("weighted_pipeline_value", D) == Decimal("1080.00")
    assert value("pipeline_value", day(12)) == Decimal("2000.00")
    assert value("pipeline_value", day(4)) == Decimal("1400.00")  # d1, d2 only


def test_finance_metrics(value):
    assert value("invoiced_amount", day(1)) == Decimal("1000.00")
    assert value("invoiced_amount", D) == Decimal("2000.00")  # cancelled and purchase invoices excluded
    assert value("payments_received", day(5)) == Decimal("300.00")
    assert value("payments_received", D) == 0  # the FAILED payment does not count
    assert value("payments_made", D) == Decimal("250.00")
    assert value("net_cash_flow", D) == Decimal("-250.00")
    assert value("expenses_amount", D) == Decimal("200.00")
    # AR as of D: i1 1000 − 300 (the 03-12 payment is later) + i2 2000; i5 was paid on 03-03
    assert value("accounts_receivable", day(2)) == Decimal("1100.00")
    assert value("accounts_receivable", day(3)) == Decimal("1000.00")
    assert value("accounts_receivable", D) == Decimal("2700.00")
    assert value("accounts_receivable", day(12)) == Decimal("2200.00")
    # overdue: i1 is due 03-08, so it counts from 03-09 (i5, due 03-09, was paid)
    assert value("overdue_receivables", day(8)) == 0
    assert value("overdue_receivables", day(9)) == Decimal("700.00")
    assert value("overdue_receivables", D) == Decimal("700.00")
    assert value("overdue_receivables", day(12)) == Decimal("200.00")


def test_inventory_metrics(value):
    assert value("stock_received_value", day(1)) == Decimal("3000.00")
    assert value("stock_received_value", D) == Decimal("500.00")
    assert value("stock_issued_value", D) == Decimal("900.00")  # the −2 OUT is invalid
    assert value("inventory_value", day(9)) == Decimal("3000.00")
    assert value("inventory_value", D) == Decimal("2600.00")  # the transfer changes nothing
    assert value("inventory_value", day(12)) == Decimal("900.00")
    assert value("out_of_stock_products", day(9)) == 2  # P2, P3 (the service does not count)
    assert value("out_of_stock_products", D) == 1
    assert value("out_of_stock_products", day(12)) == 2
    assert value("low_stock_products", D) == 0
    assert value("low_stock_products", day(12)) == 1  # P1: 3 < minStock 5


def test_production_hr_and_task_metrics(value):
    assert value("production_orders_completed", D) == 1
    assert value("production_completed_quantity", D) == Decimal("7.00")
    assert value("headcount", D) == 4 and value("headcount", day(11)) == 5  # E2 (no workspace) from 03-11
    assert value("attendance_rate", D) == Decimal("62.50")
    assert value("attendance_rate", day(11)) == Decimal("50.00")
    assert value("overtime_hours", D) == Decimal("3.50")
    assert value("employees_on_leave", day(9)) == 1
    assert value("employees_on_leave", D) == 2
    assert value("employees_on_leave", day(12)) == 0
    assert value("tasks_created", day(1)) == 4
    assert value("tasks_completed", D) == 1
    assert value("tasks_overdue", day(5)) == 0
    assert value("tasks_overdue", day(9)) == 2
    assert value("tasks_overdue", D) == 1  # t2 was completed on D


def test_organization_local_day_in_another_zone(engine, data):
    # B's order at 23:30 on D in New York is 03:30 UTC on 03-11
    with engine.connect() as conn:
        rows = dict(
            conn.execute(
                text("""SELECT date, value FROM metrics WHERE "organizationId" = :o AND name = 'orders_count'
                        AND period = 'daily' AND date IN (:d, :next)"""),
                {"o": data["org_b"], "d": D, "next": day(11)},
            ).all()
        )
    assert rows == {D: 1, day(11): 0}


def test_time_spine_is_zero_filled(engine, data):
    days = (END - START).days + 1
    expected_names = {m.name for m in CATALOG if m.kind in ("flow", "snapshot", "distinct")}
    with engine.connect() as conn:
        counts = conn.execute(
            text("""SELECT name, count(*) FROM metrics WHERE "workspaceId" = :ws AND period = 'daily'
                    AND type <> 'kpi' GROUP BY name"""),
            {"ws": data["ws"]},
        ).all()
    by_name = dict(counts)
    assert {n for n in by_name if by_name[n] == days} >= expected_names
    assert by_name["orders_count"] == days


def test_previous_value_and_change(value):
    # orders_revenue: 03-11 300 after D 6500 → −95.38 %; D after 03-09 0 → change NULL
    assert value("orders_revenue", day(11), column="previousValue") == Decimal("6500.00")
    assert value("orders_revenue", day(11), column="change") == Decimal("-95.38")
    assert value("orders_revenue", D, column="previousValue") == 0
    assert value("orders_revenue", D, column="change") is None
    # pipeline 1400 on 03-04 → 4000 on 03-05 (d3, d4 created): +185.71 %
    assert value("pipeline_value", day(5), column="change") == Decimal("185.71")
    # the first computed day has no stored predecessor
    assert value("pipeline_value", day(1), column="previousValue") is None


def test_targets_come_from_definitions_of_the_same_frequency(value):
    assert value("orders_revenue", D, column="target") == Decimal("5000.00")
    assert value("orders_revenue", WEEKLY.start_of(D), period="weekly", column="target") is None


def test_rollups_recompute_ratios_and_distincts(value):
    week = WEEKLY.start_of(D)  # 03-09 .. 03-15
    assert week == day(9)
    # flows sum: 0 + 6500 + 300
    assert value("orders_revenue", week, "weekly") == Decimal("6800.00")
    assert value("orders_count", week, "weekly") == 4
    # ratios: Σ revenue / Σ count = 6800 / 4, not the mean of the daily 2166.67 and 300
    assert value("average_order_value", week, "weekly") == Decimal("1700.00")
    # win rate: 2 won (D, 03-12) / (2 + 1 lost) = 66.67 %, not the mean of the daily 50 % and 100 %
    assert value("win_rate", D) == Decimal("50.00") and value("win_rate", day(12)) == Decimal("100.00")
    assert value("win_rate", week, "weekly") == Decimal("66.67")
    # attendance: (2.5 + 1) / (4 + 2) = 58.33 %, not (62.5 + 50) / 2 = 56.25
    assert value("attendance_rate", week, "weekly") == Decimal("58.33")
    # distinct customers over the week: C1 (D and 03-11), C2 → 2, not 2 + 1
    assert value("active_customers", week, "weekly") == 2
    # snapshots take the last computed day of the period (03-15)
    assert value("inventory_value", week, "weekly") == value("inventory_value", day(15))
    assert value("headcount", week, "weekly") == 5
    month = MONTHLY.start_of(D)
    assert value("orders_revenue", month, "monthly") == Decimal("6800.00")
    assert value("active_customers", month, "monthly") == 2
    assert value("accounts_receivable", month, "monthly") == value("accounts_receivable", END)
    assert value("payroll_gross", month, "monthly") == Decimal("520000.00")
    assert value("payroll_gross", week, "weekly") is None  # months and longer only
    assert value("orders_revenue", dt.date(2026, 1, 1), "quarterly") == Decimal("6800.00")
    assert value("orders_revenue", dt.date(2026, 1, 1), "yearly") == Decimal("6800.00")


def test_kpis(value, data):
    # gross_profit / orders_revenue × 100 on D: 5300 / 6500 × 100
    assert value("gross_margin_pct", D) == Decimal("81.54")
    assert value("gross_margin_pct", D, column="target") == Decimal("50.00")
    assert value("gross_margin_pct", day(11)) == 0  # no order lines on 03-11: 0 / 300
    assert value("gross_margin_pct", day(9)) is None  # 0 / 0: no row
    assert value("revenue_per_cancellation", D) == Decimal("6500.00")
    assert value("revenue_per_cancellation", day(11)) is None  # division by zero: no row
    # weekly: round(Σ gross profit / Σ revenue × 100, 1) = round(5300 / 6800 × 100, 1)
    assert value("weekly_margin", day(9), "weekly") == Decimal("77.90")
    failures = data["kpis"].kpi_failures
    assert len(failures) == 2
    assert any("'hostile'" in f and "unexpected character" in f for f in failures)
    assert any("'unknown_input'" in f and "unknown metric 'foo'" in f for f in failures)


def test_a_metrics_transaction_plans_every_statement_with_its_own_window(engine):
    """The same statements run once per nightly window and period on one connection: psycopg prepares
    them after 5 runs, and a generic plan (no dates, no organizations) made daily_invoices quadratic."""
    with engine.connect() as conn:
        assert conn.execute(text("SELECT current_setting('plan_cache_mode')")).scalar_one() == "auto"
        conn.rollback()
        with conn.begin():
            _begin(conn, [])
            assert conn.execute(text("SELECT current_setting('plan_cache_mode')")).scalar_one() == "force_custom_plan"
        # transaction-local: the connection goes back to the pool as it was
        assert conn.execute(text("SELECT current_setting('plan_cache_mode')")).scalar_one() == "auto"
