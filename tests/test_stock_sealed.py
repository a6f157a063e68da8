"""Sealed stock balances: the nightly pass (sealed balances + the movements after them) gives exactly
the findings and balances of the full pass (every movement read) on generated data — also after late
movements into sealed months (inserted, updated, deleted), which the trigger on stock_movements records
and the next run unseals; a seal advanced over many months equals one made from scratch; the jobs
login runs it; a reload (TRUNCATE) of the ledger leaves nothing sealed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.db.roles import JOBS_ROLE
from prometric_pipelines.generate.run import generate
from prometric_pipelines.generate.scales import options_for
from prometric_pipelines.stock.reconcile import ReconciliationResult, reconcile, seal_horizon
from tests.faults.isolation import fault

# anomalies injected: invalid and cross-tenant movements lie in sealed months
OPTIONS = options_for("demo", orgs=2, days=120, start=dt.date(2025, 3, 1), seed=5, inject_anomalies=True)
RUN_DATE = OPTIONS.end
FINDINGS = """
    SELECT CAST(d."organizationId" AS text), d.kind, CAST(d."warehouseId" AS text), CAST(d."productId" AS text),
           CAST(d."referenceId" AS text), d.expected, d.actual, d."valueImpact", d.details::text
    FROM stock_discrepancies AS d JOIN stock_reconciliation_runs AS r ON r.id = d."runId"
    WHERE r."runDate" = :run_date ORDER BY 1, 2, 3, 4, 5, 9"""
# the latest sealed month's balances, one row per ledger group (ids sorted: their order is free)
BALANCES = """
    SELECT CAST(b."organizationId" AS text), b.period, CAST(b."warehouseId" AS text), CAST(b."productId" AS text),
           b.type, CAST(b."fromWarehouseId" AS text), CAST(b."toWarehouseId" AS text), b.quantity,
           (SELECT array_agg(CAST(i AS text) ORDER BY i) FROM unnest(b."nonPositiveIds") AS i), b.movements
    FROM stock_sealed_balances AS b
    WHERE b.period = (SELECT max(s.period) FROM stock_sealed_periods AS s WHERE s."organizationId" = b."organizationId")
    ORDER BY 1, 2, 3, 4, 5, 6, 7"""
BREAKS = """SELECT CAST("organizationId" AS text), CAST("warehouseId" AS text), CAST("productId" AS text), period
            FROM stock_seal_breaks ORDER BY 1, 2, 3, 4"""


@pytest.fixture(scope="module")
def generated(engine: Engine) -> Engine:
    generate(engine, OPTIONS)
    return engine


def rows(engine: Engine, sql: str, **params) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(sql), params)]


def execute(engine: Engine, sql: str, **params) -> None:
    with engine.begin() as conn:
        conn.execute(text(sql), params)


def state(engine: Engine) -> tuple[list[tuple], list[tuple]]:
    return rows(engine, FINDINGS, run_date=RUN_DATE), rows(engine, BALANCES)


def last_sealed_month() -> dt.date:
    with_lag = seal_horizon(dt.datetime.now(dt.UTC).replace(tzinfo=None)).date()
    return (with_lag - dt.timedelta(days=1)).replace(day=1)


def nightly_then_full(engine: Engine) -> tuple[ReconciliationResult, tuple, tuple]:
    """The nightly pass's findings and balances, then the full pass's (which re-seals from scratch)."""
    nightly = reconcile(engine, RUN_DATE)
    after_nightly = state(engine)
    full = reconcile(engine, RUN_DATE, sealed_balances=False)
    assert {org.ledger for org in full.organizations} == {"full"}
    return nightly, after_nightly, state(engine)


def a_movement(engine: Engine, before: str, offset: int = 0) -> dict:
    """An existing IN movement with a positive quantity created before `before` (its pair is sealed)."""
    found = rows(
        engine,
        """SELECT id, "organizationId", "workspaceId", "warehouseId", "productId", quantity, "createdAt"
           FROM stock_movements WHERE type = 'IN' AND quantity > 0 AND "createdAt" < :before
           ORDER BY "createdAt" DESC, id LIMIT 1 OFFSET :offset""",
        before=before,
        offset=offset,
    )[0]
    return dict(zip(("id", "org", "workspace", "warehouse", "product", "quantity", "created"), found, strict=True))


def test_the_full_pass_seals_the_months_that_ended_and_the_nightly_pass_reads_only_after_them(generated) -> None:
    full = reconcile(generated, RUN_DATE, sealed_balances=False)
    assert {(org.ledger, org.sealed_through) for org in full.organizations} == {("full", last_sealed_month())}
    # the sealed balances hold every movement of the history (all of it before the sealed month's end)
    sealed = rows(generated, 'SELECT "organizationId", sum(movements) FROM stock_sealed_balances GROUP BY 1 ORDER BY 1')
    movements = rows(generated, 'SELECT "organizationId", count(*) FROM stock_movements GROUP BY 1 ORDER BY 1')
    assert sealed == movements and len(sealed) == 2
    full_state = state(generated)
    assert len(full_state[0]) > 4  # the injected anomalies and the alerts
    nightly, after_nightly, after_full = nightly_then_full(generated)
    assert {(org.ledger, org.unsealed_pairs) for org in nightly.organizations} == {("sealed", 0)}
    assert after_nightly == after_full == full_state
    assert nightly.findings == full.findings


def test_a_late_insert_into_a_sealed_month_unseals_its_pair_and_the_nightly_pass_sees_it(generated) -> None:
    reconcile(generated, RUN_DATE, sealed_balances=False)
    before = state(generated)
    old = a_movement(generated, "2025-04-15")
    execute(
        generated,
        """INSERT INTO stock_movements ("organizationId", "workspaceId", "warehouseId", "productId", type,
                                        quantity, "createdAt")
           VALUES (:org, :workspace, :warehouse, :product, 'OUT', 4, '2025-04-10 08:00')""",
        **old,
    )
    # detected, not assumed: the trigger recorded the pair and the month the movement went into
    assert rows(generated, BREAKS) == [(str(old["org"]), str(old["warehouse"]), str(old["product"]),
                                        dt.date(2025, 4, 1))]  # fmt: skip
    nightly, after_nightly, after_full = nightly_then_full(generated)
    assert sorted(org.unsealed_pairs for org in nightly.organizations) == [0, 1]
    assert {org.ledger for org in nightly.organizations} == {"sealed"}
    assert rows(generated, BREAKS) == []  # consumed
    assert after_nightly == after_full != before
    # the pair's ledger is 4 lower than before: its finding's expected moved by -4
    pair = (str(old["warehouse"]), str(old["product"]))
    moved = [f for f in after_nightly[0] if f[1] == "ledger_vs_inventory" and f[2:4] == pair]
    earlier = [f for f in before[0] if f[1] == "ledger_vs_inventory" and f[2:4] == pair]
    assert moved[0][5] == (earlier[0][5] if earlier else moved[0][6]) - 4


def test_late_updates_and_deletes_in_sealed_months_are_detected(generated) -> None:
    reconcile(generated, RUN_DATE, sealed_balances=False)
    first, second, third = (a_movement(generated, "2025-05-20", offset) for offset in (0, 7, 19))
    # a quantity changed, a movement moved to another pair, a movement deleted
    execute(generated, "UPDATE stock_movements SET quantity = quantity + 10 WHERE id = :id", id=first["id"])
    execute(
        generated,
        """UPDATE stock_movements SET "productId" = (SELECT p.id FROM products p WHERE p."organizationId" = :org
                                                       AND p.id <> :product ORDER BY p.id LIMIT 1) WHERE id = :id""",
        org=second["org"], product=second["product"], id=second["id"],
    )  # fmt: skip
    execute(generated, "DELETE FROM stock_movements WHERE id = :id", id=third["id"])
    moved_to = rows(generated, 'SELECT CAST("productId" AS text) FROM stock_movements WHERE id = :id', id=second["id"])
    touched = {(str(m["warehouse"]), str(m["product"])) for m in (first, second, third)}
    touched.add((str(second["warehouse"]), moved_to[0][0]))  # the moved movement's old and new pair
    assert {(b[1], b[2]) for b in rows(generated, BREAKS)} == touched and len(touched) >= 3
    before_full = state(generated)
    nightly, after_nightly, after_full = nightly_then_full(generated)
    assert sum(org.unsealed_pairs for org in nightly.organizations) == len(touched)
    assert after_nightly == after_full != before_full


def test_a_late_invalid_movement_is_found_by_the_nightly_pass(generated) -> None:
    before = reconcile(generated, RUN_DATE, sealed_balances=False).findings["invalid_movement"]
    old = a_movement(generated, "2025-03-20")
    execute(
        generated,
        """INSERT INTO stock_movements ("organizationId", "workspaceId", "warehouseId", "productId", type,
                                        quantity, "createdAt")
           VALUES (:org, :workspace, :warehouse, :product, 'IN', -2, '2025-03-05 09:00')""",
        **old,
    )
    nightly, after_nightly, after_full = nightly_then_full(generated)
    assert {org.ledger for org in nightly.organizations} == {"sealed"}
    assert nightly.findings["invalid_movement"] == before + 1
    assert after_nightly == after_full
    assert [f[6] for f in after_nightly[0] if f[1] == "invalid_movement"].count(Decimal("-2.000")) == 1


def test_a_seal_advanced_over_many_months_equals_one_made_from_scratch(generated) -> None:
    # sealed through April 2025 only; the nightly pass then seals May 2025 … last month from the movements
    older = reconcile(generated, RUN_DATE, sealed_balances=False, seal_through=dt.date(2025, 4, 1))
    assert {org.sealed_through for org in older.organizations} == {dt.date(2025, 4, 1)}
    late = a_movement(generated, "2025-04-01")
    execute(generated, "UPDATE stock_movements SET quantity = quantity + 1 WHERE id = :id", id=late["id"])
    nightly = reconcile(generated, RUN_DATE)
    assert {(org.ledger, org.sealed_through) for org in nightly.organizations} == {("sealed", last_sealed_month())}
    assert sum(org.unsealed_pairs for org in nightly.organizations) == 1
    # April 2025 is more than SEALED_MONTHS_KEPT months before the new seal: pruned
    periods = rows(generated, "SELECT DISTINCT period FROM stock_sealed_balances ORDER BY 1")
    assert periods == rows(generated, "SELECT DISTINCT period FROM stock_sealed_periods") == [(last_sealed_month(),)]
    after_nightly = state(generated)
    reconcile(generated, RUN_DATE, sealed_balances=False)
    assert after_nightly == state(generated)


def test_a_movement_of_the_current_month_records_no_break(generated) -> None:
    reconcile(generated, RUN_DATE, sealed_balances=False)
    old = a_movement(generated, "2025-06-01")
    execute(
        generated,
        """INSERT INTO stock_movements ("organizationId", "workspaceId", "warehouseId", "productId", type, quantity)
           VALUES (:org, :workspace, :warehouse, :product, 'IN', 3)""",
        **old,
    )
    assert rows(generated, BREAKS) == []
    nightly, after_nightly, after_full = nightly_then_full(generated)
    assert {(org.ledger, org.unsealed_pairs) for org in nightly.organizations} == {("sealed", 0)}
    assert after_nightly == after_full


def test_the_jobs_login_runs_the_nightly_pass_and_its_writes_are_tracked(generated, server_logins) -> None:
    reconcile(generated, RUN_DATE, sealed_balances=False)
    jobs = create_db_engine(server_logins(generated)[JOBS_ROLE])
    try:
        old = a_movement(generated, "2025-05-01")
        execute(jobs, "UPDATE stock_movements SET quantity = quantity + 1 WHERE id = :id", id=old["id"])
        # the trigger writes as its owner (no grant needed): the movement's old (-1) and new (+1) version
        breaks = rows(generated, "SELECT sign, quantity FROM stock_seal_breaks ORDER BY sign")
        assert breaks == [(-1, old["quantity"]), (1, old["quantity"] + 1)]
        nightly = reconcile(jobs, RUN_DATE)
        assert not nightly.failures
        assert sum(org.unsealed_pairs for org in nightly.organizations) == 1
        after_nightly = state(generated)
        reconcile(generated, RUN_DATE, sealed_balances=False)
        assert after_nightly == state(generated)
    finally:
        jobs.dispose()


def test_reloading_the_ledger_leaves_nothing_sealed(databases, template_database) -> None:
    url = databases.create("stock_sealed_reload", template=template_database)
    engine = create_db_engine(url)
    try:
        generate(engine, options_for("demo", orgs=1, days=40, start=dt.date(2025, 1, 1), seed=2))
        reconcile(engine, RUN_DATE, sealed_balances=False)
        assert rows(engine, "SELECT count(*) FROM stock_sealed_periods") == [(1,)]
        execute(engine, "TRUNCATE stock_movements")
        counts = rows(engine, """SELECT (SELECT count(*) FROM stock_sealed_balances),
                                        (SELECT count(*) FROM stock_sealed_periods),
                                        (SELECT count(*) FROM stock_seal_breaks)""")  # fmt: skip
        assert counts == [(0, 0, 0)]
        # no seal: the next run is a full pass
        assert {org.ledger for org in reconcile(engine, RUN_DATE).organizations} == {"full"}
    finally:
        engine.dispose()
        databases.drop(url)


def test_an_organization_that_fails_keeps_its_late_movements_for_the_next_run(generated) -> None:
    reconcile(generated, RUN_DATE, sealed_balances=False)
    organizations = [r[0] for r in rows(generated, "SELECT id FROM organizations ORDER BY id")]
    failing, other = organizations
    late = [a_movement_of(generated, organization) for organization in organizations]
    for movement in late:
        execute(generated, "UPDATE stock_movements SET quantity = quantity + 2 WHERE id = :id", id=movement["id"])
    seals_before = [b for b in rows(generated, BALANCES) if b[0] == str(failing)]
    with fault(generated, "stock_sealed_balances", failing):  # the rebuilt pair's balance is refused
        result = reconcile(generated, RUN_DATE)
    assert [f.organization_id for f in result.failures] == [str(failing)]
    assert [(o.organization_id, o.unsealed_pairs) for o in result.organizations] == [(str(other), 1)]
    # rolled back: the failing organization's record of the late movement and its seals are as they were
    assert {b[0] for b in rows(generated, BREAKS)} == {str(failing)}
    assert [b for b in rows(generated, BALANCES) if b[0] == str(failing)] == seals_before
    # the other organization was written: its findings and balances are those of a full pass
    others_written = [[r for r in part if r[0] == str(other)] for part in state(generated)]
    assert others_written[0] and others_written[1]
    nightly, after_nightly, after_full = nightly_then_full(generated)
    assert [o.unsealed_pairs for o in nightly.organizations if o.organization_id == str(failing)] == [1]
    assert after_nightly == after_full
    assert others_written == [[r for r in part if r[0] == str(other)] for part in after_full]


def a_movement_of(engine: Engine, organization: object) -> dict:
    found = rows(
        engine,
        """SELECT id FROM stock_movements WHERE "organizationId" = :org AND type = 'IN' AND quantity > 0
           AND "createdAt" < '2025-05-01' ORDER BY "createdAt" DESC, id LIMIT 1""",
        org=organization,
    )
    return {"id": found[0][0]}


def test_one_transaction_for_every_organization_equals_one_transaction_each(generated) -> None:
    """A run reconciles every organization in one transaction, each statement for all of them, here a
    sealed pass (one pair unsealed) beside a full pass; the same made one organization per run (the
    path the failure isolation falls back to) gives the full pass's findings and balances too."""
    reconcile(generated, RUN_DATE, sealed_balances=False)
    first, second = (str(r[0]) for r in rows(generated, "SELECT id FROM organizations ORDER BY id"))
    late = a_movement_of(generated, first)

    def late_movement_in_first_and_seals_of_second_dropped() -> None:
        execute(generated, "UPDATE stock_movements SET quantity = quantity + 3 WHERE id = :id", id=late["id"])
        execute(generated, 'DELETE FROM stock_sealed_balances WHERE "organizationId" = :o', o=second)
        execute(generated, 'DELETE FROM stock_sealed_periods WHERE "organizationId" = :o', o=second)

    late_movement_in_first_and_seals_of_second_dropped()
    together, after_together, after_full = nightly_then_full(generated)
    assert sorted((o.organization_id, o.ledger, o.unsealed_pairs) for o in together.organizations) == [
        (first, "sealed", 1), (second, "full", 0)]  # fmt: skip
    assert len({o.run_id for o in together.organizations}) == 2
    assert after_together == after_full

    late_movement_in_first_and_seals_of_second_dropped()
    one_by_one = [reconcile(generated, RUN_DATE, organization_ids=[org]) for org in (first, second)]
    assert [(o.organization_id, o.ledger, o.unsealed_pairs) for r in one_by_one for o in r.organizations] == [
        (first, "sealed", 1), (second, "full", 0)]  # fmt: skip
    after_one_by_one = state(generated)
    reconcile(generated, RUN_DATE, sealed_balances=False)
    assert after_one_by_one == state(generated) != after_full  # the second +3 moved the pair's ledger


def test_late_deltas_flip_a_movement_between_counted_and_invalid_and_remove_a_group(generated) -> None:
    """The nightly pass adds each late movement's old (-1) and new (+1) version to the sealed balances:
    a movement turned non-positive leaves the sum and joins the group's invalid ids, turned back it
    returns, a group whose only movement is deleted disappears; each night equals a full pass."""
    reconcile(generated, RUN_DATE, sealed_balances=False)
    moved = a_movement(generated, "2025-05-10", 3)
    other_warehouse = rows(
        generated,
        """SELECT id FROM warehouses WHERE "organizationId" = :org AND id <> :warehouse ORDER BY id LIMIT 1""",
        org=moved["org"], warehouse=moved["warehouse"],
    )[0][0]  # fmt: skip
    nights = [
        ("UPDATE stock_movements SET quantity = -1 WHERE id = :id", {"id": moved["id"]}),
        ("UPDATE stock_movements SET quantity = 7 WHERE id = :id", {"id": moved["id"]}),
        (
            """INSERT INTO stock_movements ("organizationId", "workspaceId", "warehouseId", "productId", type,
                                            quantity, "fromWarehouseId", "toWarehouseId", reason, "createdAt")
               VALUES (:org, :workspace, :warehouse, :product, 'TRANSFER', 2, :warehouse, :to, 'late transfer',
                       '2025-04-03 10:00')""",
            {**moved, "to": other_warehouse},
        ),
        ("DELETE FROM stock_movements WHERE reason = 'late transfer'", {}),
    ]
    seen = []
    for sql, params in nights:
        execute(generated, sql, **params)
        nightly, after_nightly, after_full = nightly_then_full(generated)
        assert {o.ledger for o in nightly.organizations} == {"sealed"}
        assert sum(o.unsealed_pairs for o in nightly.organizations) == 1
        assert after_nightly == after_full
        seen.append(after_full)
    source = str(moved["warehouse"])
    transfers = [[b for b in balances if b[4] == "TRANSFER" and b[5] == source] for _, balances in seen]
    assert len(transfers[2]) > len(transfers[3])  # the late transfer's group existed, then was removed
    # the movement was one of the invalid ones the first night only
    invalid = [[f for f in findings if f[1] == "invalid_movement" and f[4] == str(moved["id"])] for findings, _ in seen]
    assert [len(found) for found in invalid] == [1, 0, 0, 0]
