"""End to end on generated data: the reconciliation finds exactly the stock anomalies that
`generate --inject-anomalies` reports (and none on clean data); apply mode then leaves the ledger,
inventory and products in agreement by the generator tests' own queries."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.generate.run import generate
from prometric_pipelines.generate.scales import options_for
from prometric_pipelines.stock.reconcile import FAILING_KINDS, reconcile
from tests.test_generate import LEDGER_VS_INVENTORY, PRODUCT_VS_INVENTORY

OPTIONS = options_for("demo", orgs=2, days=120, start=dt.date(2025, 3, 1), seed=3, inject_anomalies=True)
STOCK_ANOMALIES = {"ledger_vs_inventory", "inventory_vs_product", "expired_stock", "invalid_movement",
                   "cross_tenant_reference"}  # fmt: skip
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture(scope="module")
def anomalies(engine: Engine) -> dict[str, list[str]]:
    """kind -> the first id each reported anomaly names (inventory row, product or movement)."""
    result = generate(engine, OPTIONS)
    found: dict[str, list[str]] = {}
    for anomaly in result.anomalies:
        if anomaly.kind in STOCK_ANOMALIES:
            found.setdefault(anomaly.kind, []).append(UUID.search(anomaly.description)[0])
    return found


def rows(engine: Engine, sql: str, **params) -> list:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).all()


def test_finds_exactly_the_injected_stock_anomalies(engine: Engine, anomalies) -> None:
    result = reconcile(engine, OPTIONS.end)
    errors = {kind: count for kind, count in result.findings.items() if kind != "below_min_stock"}
    assert errors == {kind: len(anomalies.get(kind, [])) for kind in errors} == {
        "ledger_vs_inventory": 2, "inventory_vs_product": 1, "negative_stock": 0, "expired_stock": 1,
        "invalid_movement": 1, "cross_tenant_reference": 1,
    }  # fmt: skip
    # and they are the reported rows, with the injected differences
    shortfalls = rows(engine, """
        SELECT d.difference, d.expected - d.actual FROM stock_discrepancies d
        JOIN inventory i ON i."warehouseId" = d."warehouseId" AND i."productId" = d."productId"
                        AND i."organizationId" = d."organizationId"
        WHERE d.kind = 'ledger_vs_inventory' AND CAST(i.id AS text) = ANY(:ids)""",
        ids=anomalies["ledger_vs_inventory"],
    )  # fmt: skip
    assert shortfalls == [(Decimal("-3.000"), Decimal("3.000"))] * 2
    drift = rows(engine, """SELECT d.difference, d.details ->> 'field' FROM stock_discrepancies d
                            JOIN products p ON p.id = d."productId" AND p."organizationId" = d."organizationId"
                            WHERE d.kind = 'inventory_vs_product' AND CAST(p.id AS text) = :id""",
                 id=anomalies["inventory_vs_product"][0])  # fmt: skip
    assert drift == [(Decimal("7.000"), "currentStock")]
    for kind in ("expired_stock", "invalid_movement", "cross_tenant_reference"):
        named = rows(engine, 'SELECT CAST("referenceId" AS text) FROM stock_discrepancies WHERE kind = :k', k=kind)
        assert [r[0] for r in named] == anomalies[kind], kind
    assert rows(engine, "SELECT actual FROM stock_discrepancies WHERE kind = 'invalid_movement'") == [
        (Decimal("-5.000"),)
    ]
    # below_min_stock is an alert: exactly the active products under their minimum
    alerts = rows(engine, """SELECT count(*) FROM products WHERE "currentStock" < "minStock"
                             AND status = 'ACTIVE' AND "deletedAt" IS NULL""")[0][0]  # fmt: skip
    assert result.findings["below_min_stock"] == alerts
    # the anomalies are all in one organization (the generator's first); the other has no errors
    with_errors = [org for org in result.organizations if any(org.findings[kind] for kind in errors)]
    assert len(with_errors) == 1 and len(result.organizations) == 2
    assert {kind for kind, count in with_errors[0].findings.items() if count} >= FAILING_KINDS


def test_apply_on_generated_data_leaves_ledger_inventory_and_products_agreeing(engine: Engine, anomalies) -> None:
    applied = reconcile(engine, OPTIONS.end, apply=True)
    assert (applied.adjustments, applied.products_synced, applied.audit_rows) == (2, 1, 3)
    after = reconcile(engine, OPTIONS.end)
    assert after.findings["ledger_vs_inventory"] == after.findings["inventory_vs_product"] == 0
    assert rows(engine, f"SELECT count(*) FROM ({PRODUCT_VS_INVENTORY}) AS x")[0][0] == 0
    # and by the generator tests' own queries (valid movements of own warehouses and products)
    assert rows(engine, f"SELECT count(*) FROM ({LEDGER_VS_INVENTORY}) AS x")[0][0] == 0


def test_clean_generated_data_has_no_errors(databases, template_database) -> None:
    engine = create_db_engine(databases.create("stock_clean_generated", template=template_database))
    clean = options_for("demo", orgs=2, days=90, start=dt.date(2025, 1, 1), seed=5)
    generate(engine, clean)
    result = reconcile(engine, clean.end)
    assert {kind: n for kind, n in result.findings.items() if kind != "below_min_stock" and n} == {}
    assert result.notifications == 0 or all(
        row[0] == "info"
        for row in rows(engine, "SELECT type FROM notifications WHERE category = 'stock_reconciliation'")
    )
    engine.dispose()
