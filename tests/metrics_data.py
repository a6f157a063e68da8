"""Hand-made ERP data for the metrics tests, with the expected values computed by hand.

Organization A (no timezone setting: Asia/Almaty, UTC+5) has one workspace W; D = 2026-03-10 (a
Tuesday; its ISO week starts 2026-03-09). Organization B is in America/New_York (UTC-4 after
2026-03-08). Every expected figure in the tests is derived in the comments here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from tests.factories import make, make_tenant

D = dt.date(2026, 3, 10)


def local(day: dt.date, hour: int, minute: int = 0, offset_hours: int = 5) -> dt.datetime:
    """The UTC timestamp of a local wall-clock time (offset = the zone's UTC offset that day)."""
    return dt.datetime.combine(day, dt.time(hour, minute)) - dt.timedelta(hours=offset_hours)


def day(n: int) -> dt.date:
    return dt.date(2026, 3, n)


def build(conn) -> dict[str, Any]:
    t = make_tenant(conn)
    org, ws = t["organization"]["id"], t["workspace"]["id"]
    at = {"organizationId": org, "workspaceId": ws}
    ids: dict[str, Any] = {"org": org, "ws": ws}

    # --- customers: new_customers 03-01: C2; D: C1, C3 (C4 soft-deleted)
    c1 = make(conn, "customers", **at, createdAt=local(D, 9))
    c2 = make(conn, "customers", **at, createdAt=local(day(1), 9))
    c3 = make(conn, "customers", **at, createdAt=local(D, 23, 30))  # 23:30 local = 18:30 UTC, same day
    make(conn, "customers", **at, createdAt=local(D, 9), deletedAt=local(D, 10))

    # --- products: P1 cost 300 minStock 5, P2 cost 100, P3 never moves, a SERVICE
    p1 = make(conn, "products", **at, cost=Decimal(300), minStock=Decimal(5), type="PRODUCT", status="ACTIVE")
    p2 = make(conn, "products", **at, cost=Decimal(100), minStock=Decimal(0), type="PRODUCT", status="ACTIVE")
    make(conn, "products", **at, cost=Decimal(50), minStock=Decimal(0), type="PRODUCT", status="ACTIVE")
    make(conn, "products", **at, cost=Decimal(10), type="SERVICE", status="ACTIVE")

    # --- sales orders of D: o1 1000 (C1), o2 500 (C2, 01:00 local = previous day in UTC), o5 10 USD at
    # rate 500 = 5000 (C1); cancelled o3; deleted o4; o6 in CNY without a rate (skipped)
    def order(when, total, customer=None, **extra):
        return make(conn, "orders", **at, orderDate=when, totalAmount=Decimal(total),
                    customerId=customer["id"] if customer else None, **extra)  # fmt: skip

    o1 = order(local(D, 10), 1000, c1, status="DELIVERED")
    o2 = order(local(D, 1), 500, c2, status="CONFIRMED")
    order(local(D, 11), 700, c3, status="CANCELLED")
    order(local(D, 12), 9999, c3, status="DELIVERED", deletedAt=local(D, 13))
    o5 = order(local(D, 14), 10, c1, status="DELIVERED", currency="USD")
    order(local(D, 15), 20, c2, status="DELIVERED", currency="CNY")
    order(local(day(11), 12), 300, c1, status="PENDING")  # 03-11: 1 order, 300, customer C1
    order(local(D, 9), 2000, type="PURCHASE", status="DELIVERED")
    order(local(D, 9), 100, type="PURCHASE", status="CANCELLED")
    conn.execute(
        text("""INSERT INTO fx_rates (currency, date, "rateToKzt") VALUES ('USD', :d, 500)"""),
        {"d": D},
    )
    # gross profit of D: o1 1000 − 2×300 = 400, o2 500 − 300 = 200, o5 10×500 − 300 = 4700 → 5300
    for o, qty, total in ((o1, 2, 1000), (o2, 1, 500), (o5, 1, 10)):
        make(conn, "order_items", orderId=o["id"], productId=p1["id"], quantity=Decimal(qty),
             unitPrice=Decimal(total), totalPrice=Decimal(total))  # fmt: skip

    # --- deals: d1 won on D (1000, 50 %), d2 lost on D (400, 20 %), d3 open (2000, 30 %),
    # d4 won on 03-12, after D (600, 80 %), d5 deleted
    def deal(created, value, probability, **extra):
        return make(conn, "deals", **at, createdAt=created, value=Decimal(value), probability=probability, **extra)

    deal(local(day(1), 10), 1000, 50, wonAt=local(D, 15), stage="WON")
    deal(local(day(1), 11), 400, 20, lostAt=local(D, 16), stage="LOST")
    deal(local(day(5), 10), 2000, 30)
    deal(local(day(5), 11), 600, 80, wonAt=local(day(12), 10), stage="WON")
    deal(local(D, 10), 5000, 90, deletedAt=local(D, 11))

    # --- invoices and payments
    def invoice(issue, due, total, paid=0, **extra):
        return make(conn, "invoices", **at, issueDate=issue, dueDate=due, totalAmount=Decimal(total),
                    paidAmount=Decimal(paid), **extra)  # fmt: skip

    def payment(inv, when, amount, **extra):
        return make(conn, "payments", **at, invoiceId=inv["id"] if inv else None, paymentDate=when,
                    amount=Decimal(amount), paymentMethod="transfer", **extra)  # fmt: skip

    i1 = invoice(day(1), day(8), 1000, paid=800, status="PARTIAL")
    payment(i1, day(5), 300, type="INCOMING", status="COMPLETED")  # partial payment before D
    payment(i1, day(12), 500, type="INCOMING", status="COMPLETED")  # and after D
    invoice(D, day(20), 2000, status="SENT")
    invoice(D, day(20), 5000, status="CANCELLED")
    invoice(D, day(20), 800, type="PURCHASE", status="SENT")
    i5 = invoice(day(2), day(9), 100, paid=100, status="PAID")
    payment(i5, day(3), 100, type="INCOMING", status="COMPLETED")
    payment(i1, D, 999, type="INCOMING", status="FAILED")
    payment(None, D, 250, type="OUTGOING", status="COMPLETED")

    # --- expenses of D: APPROVED 120 + PAID 80 = 200
    for status, amount in (("APPROVED", 120), ("PAID", 80), ("PENDING", 1000), ("REJECTED", 1000)):
        make(conn, "expenses", **at, expenseDate=D, amount=Decimal(amount), status=status, category="rent")
    # --- stock ledger: WH1, WH2 of W
    wh1 = make(conn, "warehouses", **at)
    wh2 = make(conn, "warehouses", **at)

    def move(product, kind, qty, when, warehouse=wh1, **extra):
        return make(conn, "stock_movements", **at, productId=product["id"], warehouseId=warehouse["id"], type=kind,
                    quantity=Decimal(qty), createdAt=when, **extra)  # fmt: skip

    move(p1, "IN", 10, local(day(1), 9))
    move(p1, "OUT", 3, local(D, 9))
    move(p1, "TRANSFER", 4, local(D, 10), fromWarehouseId=wh1["id"], toWarehouseId=wh2["id"])
    move(p2, "IN", 5, local(D, 11), warehouse=wh2)
    move(p1, "OUT", -2, local(D, 12))  # invalid: counts nowhere
    move(p1, "TRANSFER", 1, local(D, 12), fromWarehouseId=wh1["id"])  # invalid: no destination
    move(p2, "OUT", 5, local(day(12), 9), warehouse=wh2)
    move(p1, "ADJUSTMENT", -4, local(day(12), 10))

    # --- production: one completed on D (7 units), one in progress
    make(conn, "production_orders", **at, productId=p1["id"], quantity=Decimal(10), completedQuantity=Decimal(7),
         status="COMPLETED", actualEndDate=local(D, 14))  # fmt: skip
    make(conn, "production_orders", **at, productId=p1["id"], quantity=Decimal(10), status="IN_PROGRESS")

    # --- employees: E1 active since 2025, E2 active hired 03-11 without a workspace, E3 terminated,
    # E4/E5/E6 active since 2025 (headcount D = 4: E1, E4, E5, E6; 03-11: 5)
    def employee(hired, status="active", workspace=ws):
        return make(conn, "employees", organizationId=org, workspaceId=workspace, hireDate=hired, status=status)

    e1 = employee(dt.date(2025, 1, 1))
    employee(day(11), workspace=None)
    e3 = employee(dt.date(2024, 1, 1), status="terminated")
    e4, e5, e6 = (employee(dt.date(2025, 1, 1)) for _ in range(3))

    def attend(emp, when, status, overtime=0):
        make(conn, "attendance", **at, employeeId=emp["id"], date=when, status=status, overtimeHours=Decimal(overtime))

    # D: PRESENT + LATE + ½ HALF_DAY over PRESENT/LATE/HALF_DAY/ABSENT = 2.5 / 4 = 62.5 %; overtime 3.5
    attend(e1, D, "PRESENT", 2)
    attend(e3, D, "HALF_DAY")
    attend(e4, D, "ABSENT")
    attend(e5, D, "LATE", Decimal("1.5"))
    attend(e6, D, "WEEKEND")
    # 03-11: 1 / 2 = 50 %
    attend(e1, day(11), "PRESENT")
    attend(e3, day(11), "ABSENT")

    # leaves: E1 approved 03-09..03-11, E4 approved on D only, E5 pending on D
    for emp, start, end, status in ((e1, day(9), day(11), "APPROVED"), (e4, D, D, "APPROVED"), (e5, D, D, "PENDING")):
        make(conn, "leaves", **at, employeeId=emp["id"], startDate=start, endDate=end, status=status,
             type="annual", totalDays=(end - start).days + 1)  # fmt: skip

    # payroll of March: E1 APPROVED 300,000 + 20,000, E4 PAID 200,000, E3 DRAFT (not counted)
    for emp, basic, allowances, status in ((e1, 300000, 20000, "APPROVED"), (e4, 200000, 0, "PAID"),
                                           (e3, 100000, 0, "DRAFT")):  # fmt: skip
        make(conn, "payroll", **at, employeeId=emp["id"], month=3, year=2026, basicSalary=Decimal(basic),
             allowances=Decimal(allowances), netSalary=Decimal(basic), status=status)  # fmt: skip

    # --- tasks: t1 due 03-05 never done; t2 due 03-05 completed on D; t3 due 03-20; t4 cancelled
    def task(due, **extra):
        return make(conn, "tasks", **at, createdAt=local(day(1), 9), dueDate=local(due, 18), **extra)

    task(day(5), status="TODO")
    task(day(5), status="DONE", completedAt=local(D, 11))
    task(day(20), status="IN_PROGRESS")
    task(day(2), status="CANCELLED")

    # --- KPI definitions
    def kpi(name, formula, frequency, target=None, **extra):
        make(conn, "kpi_definitions", organizationId=org, name=name, formula=formula, frequency=frequency,
             targetValue=None if target is None else Decimal(target), **extra)  # fmt: skip

    kpi("gross_margin_pct", "gross_profit / orders_revenue * 100", "daily", 50)
    kpi("revenue_per_cancellation", "orders_revenue / orders_cancelled", "daily")
    kpi("hostile", "__import__('os').system('x')", "daily")
    kpi("unknown_input", "foo / 2", "daily")
    kpi("orders_revenue", None, "daily", 5000)  # a target only
    kpi("weekly_margin", "round(gross_profit / orders_revenue * 100, 1)", "weekly")

    # --- organization B in New York: an order at 23:30 local on D is 03:30 UTC on 03-11
    b = make_tenant(conn)
    conn.execute(
        text("""UPDATE organizations SET settings = '{"timezone": "America/New_York"}' WHERE id = :o"""),
        {"o": b["organization"]["id"]},
    )
    make(conn, "orders", organizationId=b["organization"]["id"], workspaceId=b["workspace"]["id"],
         orderDate=local(D, 23, 30, offset_hours=-4), totalAmount=Decimal(42), status="DELIVERED")  # fmt: skip
    ids["org_b"], ids["ws_b"] = b["organization"]["id"], b["workspace"]["id"]
    return ids
