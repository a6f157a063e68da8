"""A hand-made stock ledger with one case of every kind of finding, and its expected findings.

Organization A (warehouses W1, W2 managed by M1, W3 by M3; products P1-P4 with costs 100, 50, 10,
20) and organization B (one warehouse, one product, clean). Quantities are chosen so that every
rule of the ledger semantics changes a result if it is implemented wrongly:

* P1 at W1: IN 10, OUT 3, TRANSFER 2 to W2, ADJUSTMENT -1 -> 4 = the count (one row, NULL batch);
  at W2: 2 from the transfer = the count (NULL batch). A sign error in OUT, TRANSFER or ADJUSTMENT
  would show as a ledger_vs_inventory finding.
* Left out of the ledger: OUT -5 (quantity not positive), a TRANSFER without a destination, an IN
  into B's warehouse (cross-tenant), and an inventory row of A in B's warehouse (cross-tenant).
* P2 (batch-tracked) at W1: IN 30 = batches LOT-A 12 (expired yesterday) + LOT-B 18; at W2: IN 5,
  no inventory row -> ledger 5, count 0.
* P3 at W1: IN 25, counted 22 (NULL batch) -> ledger_vs_inventory; minStock 30 -> below_min_stock.
* P4 at W2: a row with quantity 0 and 3 reserved -> negative available stock.
* P1's currentStock is 9 instead of 6 -> inventory_vs_product.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from tests.factories import make, make_tenant

D = Decimal


def build(conn: Connection, run_date: dt.date) -> dict[str, Any]:
    a, b = make_tenant(conn), make_tenant(conn)
    org, ws = a["organization"]["id"], a["workspace"]["id"]
    tenant = {"organizationId": org, "workspaceId": ws}
    m1 = make(conn, "users", role="manager", status="active")["id"]
    m3 = make(conn, "users", role="manager", status="active")["id"]
    w1 = make(conn, "warehouses", **tenant, name="Main", managerId=m1)["id"]
    w2 = make(conn, "warehouses", **tenant, name="Branch", managerId=m1)["id"]
    w3 = make(conn, "warehouses", **tenant, name="Empty", managerId=m3)["id"]

    def product(cost: int, current: int, reserved: int = 0, min_stock: int = 0) -> Any:
        return make(
            conn, "products", **tenant, cost=cost, currentStock=current, reservedStock=reserved, minStock=min_stock
        )["id"]

    p1, p2, p3, p4 = product(100, 9), product(50, 30), product(10, 22, min_stock=30), product(20, 0, reserved=3)

    def move(kind: str, warehouse: Any, item: Any, quantity: int, **extra: Any) -> Any:
        return make(
            conn, "stock_movements", **tenant, warehouseId=warehouse, productId=item, type=kind, quantity=quantity,
            **extra,
        )["id"]  # fmt: skip

    move("IN", w1, p1, 10)
    move("OUT", w1, p1, 3)
    move("TRANSFER", w1, p1, 2, fromWarehouseId=w1, toWarehouseId=w2)
    move("ADJUSTMENT", w1, p1, -1)
    negative_out = move("OUT", w1, p1, -5)
    half_transfer = move("TRANSFER", w1, p1, 1, fromWarehouseId=w1)
    move("IN", w1, p2, 30)
    move("IN", w2, p2, 5)
    move("IN", w1, p3, 25)

    def count(warehouse: Any, item: Any, quantity: int, **extra: Any) -> Any:
        return make(conn, "inventory", **tenant, warehouseId=warehouse, productId=item, quantity=quantity, **extra)[
            "id"
        ]

    count(w1, p1, 4, reservedQuantity=0)
    count(w2, p1, 2, reservedQuantity=0)
    lot_a = count(w1, p2, 12, reservedQuantity=0, batchNumber="LOT-A", expiryDate=run_date - dt.timedelta(days=1))
    count(w1, p2, 18, reservedQuantity=0, batchNumber="LOT-B", expiryDate=run_date + dt.timedelta(days=90))
    count(w1, p3, 22, reservedQuantity=0)
    negative_row = count(w2, p4, 0, reservedQuantity=3)

    b_org, b_ws = b["organization"]["id"], b["workspace"]["id"]
    wb = make(conn, "warehouses", organizationId=b_org, workspaceId=b_ws, name="B main")["id"]
    pb = make(conn, "products", organizationId=b_org, workspaceId=b_ws, cost=7, currentStock=5, reservedStock=0)["id"]
    make(
        conn, "stock_movements", organizationId=b_org, workspaceId=b_ws, warehouseId=wb, productId=pb, type="IN",
        quantity=5,
    )  # fmt: skip
    make(
        conn, "inventory", organizationId=b_org, workspaceId=b_ws, warehouseId=wb, productId=pb, quantity=5,
        reservedQuantity=0,
    )  # fmt: skip
    foreign_in = move("IN", wb, p1, 10)
    foreign_row = count(wb, p1, 1, reservedQuantity=0)

    ids = dict(
        org=org, ws=ws, b_org=b_org, w1=w1, w2=w2, w3=w3, wb=wb, p1=p1, p2=p2, p3=p3, p4=p4, m1=m1, m3=m3,
        negative_out=negative_out, half_transfer=half_transfer, lot_a=lot_a, negative_row=negative_row,
        foreign_in=foreign_in, foreign_row=foreign_row,
    )  # fmt: skip
    return ids


def expected_findings(ids: dict[str, Any]) -> list[tuple]:
    """(kind, warehouse, product, reference, expected, actual, difference, valueImpact), hand-computed."""
    return sorted(
        [
            ("ledger_vs_inventory", ids["w1"], ids["p3"], None, D("25"), D("22"), D("-3"), D("-30.00")),
            ("ledger_vs_inventory", ids["w2"], ids["p2"], None, D("5"), D("0"), D("-5"), D("-250.00")),
            ("inventory_vs_product", None, ids["p1"], None, D("6"), D("9"), D("3"), D("300.00")),
            ("negative_stock", ids["w2"], ids["p4"], ids["negative_row"], D("0"), D("-3"), D("-3"), D("-60.00")),
            ("expired_stock", ids["w1"], ids["p2"], ids["lot_a"], D("0"), D("12"), D("12"), D("600.00")),
            ("invalid_movement", ids["w1"], ids["p1"], ids["negative_out"], D("0"), D("-5"), D("-5"), D("-500.00")),
            ("invalid_movement", ids["w1"], ids["p1"], ids["half_transfer"], D("0"), D("1"), D("1"), D("100.00")),
            ("cross_tenant_reference", ids["wb"], ids["p1"], ids["foreign_in"], D("0"), D("10"), D("10"), D("1000.00")),
            ("cross_tenant_reference", ids["wb"], ids["p1"], ids["foreign_row"], D("0"), D("1"), D("1"), D("100.00")),
            ("below_min_stock", None, ids["p3"], None, D("30"), D("22"), D("-8"), D("-80.00")),
        ],
        key=_order,
    )


def _order(row: tuple) -> tuple:
    return tuple("" if value is None else str(value) for value in row)


def findings(engine: Engine, organization_id: Any) -> list[tuple]:
    """The findings of the organization's latest runs, in the shape of `expected_findings`."""
    with engine.connect() as conn:
        rows = conn.execute(
            text("""SELECT kind, "warehouseId", "productId", "referenceId", expected, actual, difference,
                           "valueImpact"
                    FROM stock_discrepancies WHERE "organizationId" = :org"""),
            {"org": organization_id},
        ).all()
    return sorted((tuple(row) for row in rows), key=_order)
