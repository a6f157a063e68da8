"""Failure isolation in the stock reconciliation: an organization whose findings the database refuses (a
trigger raising on its `stock_discrepancies` rows) is rolled back alone — no findings, no adjustments,
no run row — while the other organization is reconciled as by a clean run; a re-run of only the failed
organization, fault gone, gives the database a clean full run gives."""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg
import pytest
from sqlalchemy import text

from prometric_pipelines.business_calendar import business_today
from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.defs.stock.assets import COMPLETED_CHECK, stock_reconciliation
from prometric_pipelines.lib.resources import PostgresResource
from tests import stock_scenario
from tests.factories import make
from tests.faults.isolation import check, fault, materialization_failures, notified, owners, run_failure

pytestmark = pytest.mark.faults

RUN_DATE = business_today()
OUTCOME = {
    "findings": """SELECT CAST("organizationId" AS text), kind, "warehouseId", "productId", "referenceId", expected,
                          actual, difference, "valueImpact", details::text
                   FROM stock_discrepancies ORDER BY 1, 2, 3, 4, 5""",
    "runs": """SELECT CAST("organizationId" AS text), "runDate", status, applied, summary::text
               FROM stock_reconciliation_runs ORDER BY 1, 2""",
    "adjustments": """SELECT CAST("organizationId" AS text), "warehouseId", "productId", quantity FROM stock_movements
                      WHERE "referenceType" = 'adjustment' ORDER BY 1, 2, 3""",
    "products": """SELECT CAST("organizationId" AS text), id, "currentStock", "reservedStock"
                   FROM products ORDER BY 2""",
}


@pytest.fixture(scope="module")
def base(databases, template_database) -> Iterator[tuple[str, str, str]]:
    """A database with the stock scenario (A: one finding of every kind, B: clean) and an owner each."""
    url = databases.create("isolation_stock_base", template=template_database)
    engine = create_db_engine(url)
    with engine.begin() as conn:
        ids = stock_scenario.build(conn, RUN_DATE)
        orgs = [str(o) for o in conn.execute(text("SELECT id FROM organizations ORDER BY id")).scalars()]
        for org in orgs:
            user = make(conn, "users", status="active")
            make(conn, "employees", organizationId=org, userId=user["id"], organizationRole="owner", status="active")
    engine.dispose()
    bad = str(ids["org"])
    clean = next(o for o in orgs if o != bad)
    yield url.database, clean, bad
    databases.drop(url)


def outcome(engine, organization: str | None = None) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {
            name: [tuple(r) for r in conn.execute(text(sql)) if organization is None or r[0] == organization]
            for name, sql in OUTCOME.items()
        }


def materialize(url, config: dict) -> dg.ExecuteInProcessResult:
    with dg.DagsterInstance.ephemeral() as instance:
        return dg.materialize(
            [stock_reconciliation],
            partition_key=str(RUN_DATE),
            resources={"postgres": PostgresResource(database_url=url.render_as_string(hide_password=False))},
            run_config={"ops": {"stock_reconciliation": {"config": {"apply_adjustments": True, **config}}}},
            instance=instance,
            raise_on_error=False,
        )


def test_one_organization_failing_reconciliation_is_rolled_back_alone(databases, base):
    template, clean, bad = base
    clean_url = databases.create("isolation_stock_clean", template=template)
    faulty_url = databases.create("isolation_stock_faulty", template=template)
    clean_engine, engine = create_db_engine(clean_url), create_db_engine(faulty_url)
    try:
        before = outcome(engine)
        assert materialize(clean_url, {}).success
        full = outcome(clean_engine)
        assert full["findings"] and full["adjustments"]  # the run found and fixed things in A

        with fault(engine, "stock_discrepancies", bad, message="injected fault: finding refused"):
            result = materialize(faulty_url, {})
        assert not result.success
        description, failed = run_failure(result)
        assert description == "partial: 1 of 2 organizations failed"
        assert [(f["organization_id"], f["step"], f["reason"]) for f in failed] == [
            (bad, "stock_reconciliation", "injected fault: finding refused")
        ]
        assert failed[0]["organization_name"]
        assert outcome(engine, clean) == outcome(clean_engine, clean)
        after_bad = outcome(engine, bad)
        assert after_bad == {name: [r for r in rows if r[0] == bad] for name, rows in before.items()}  # untouched
        passed, check_failed, check_text = check(result, COMPLETED_CHECK)
        assert not passed and [f["organization_id"] for f in check_failed] == [bad] and bad in check_text
        assert [f["organization_id"] for f in materialization_failures(result, "stock_reconciliation")] == [bad]
        messages = notified(engine, result.run_id)
        assert [user for user, _, _ in messages] == owners(engine, bad) != []
        assert all(named == [bad] for _, named, _ in messages)

        assert materialize(faulty_url, {"organization_ids": [bad]}).success
        assert outcome(engine) == full
    finally:
        clean_engine.dispose()
        engine.dispose()
        databases.drop(clean_url)
        databases.drop(faulty_url)
