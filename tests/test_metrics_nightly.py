"""The nightly metrics run recomputes what changed (the change log of migration 20261207001200): after
random inserts, updates, soft and hard deletes across old and new days, its rows equal a recomputation
of the whole history from scratch, row for row; and it recomputes only the organizations that changed."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
from sqlalchemy import text

from prometric_pipelines.defs.metrics.assets import daily_metrics, kpi_values, rollup_assets
from prometric_pipelines.defs.metrics.schedules import metrics_nightly_schedule
from prometric_pipelines.generate.run import generate
from prometric_pipelines.generate.scales import options_for
from prometric_pipelines.lib.resources import PostgresResource
from prometric_pipelines.metrics.nightly import first_day, run_nightly
from tests.factories import make
from tests.test_metrics_jobs import ROWS, run_everything

HISTORY_START = dt.date(2025, 3, 1)
HISTORY_DAYS = 75
FIRST = HISTORY_START
LAST = HISTORY_START + dt.timedelta(days=HISTORY_DAYS - 1)


@pytest.fixture(scope="module")
def generated(engine):
    generate(engine, options_for("demo", orgs=2, days=HISTORY_DAYS, start=HISTORY_START, seed=11))
    return engine


def organizations(engine) -> list[str]:
    with engine.connect() as conn:
        return [str(o) for o in conn.execute(text("SELECT id FROM organizations ORDER BY id")).scalars()]


def rows(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(ROWS)]


def from_scratch(engine) -> list[tuple]:
    """Every metrics row deleted and the whole history computed again."""
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM metrics"))
    run_everything(engine, FIRST, LAST, "scratch")
    return rows(engine)


def pick(conn, rng: random.Random, table: str, where: str = "true") -> dict:
    """A random row of `table` (deterministic: rows in id order, the index from the seeded generator)."""
    count = conn.execute(text(f"SELECT count(*) FROM {table} WHERE {where}")).scalar_one()
    return dict(
        conn.execute(
            text(f"SELECT * FROM {table} WHERE {where} ORDER BY id OFFSET :n LIMIT 1"), {"n": rng.randrange(count)}
        )
        .mappings()
        .one()
    )


def random_day(rng: random.Random) -> dt.datetime:
    """A time on a random day of the history: old days and the newest alike."""
    day = FIRST + dt.timedelta(days=rng.randrange(HISTORY_DAYS))
    return dt.datetime.combine(day, dt.time(rng.randrange(24), rng.randrange(60)))


def touch(engine, rng: random.Random, *, dimension: bool) -> None:
    """Inserts, updates, soft deletes and hard deletes on random rows of the fact tables."""
    with engine.begin() as conn:
        # inserts: a sales order with one line, a stock receipt (a day anywhere in the history)
        order = pick(conn, rng, "orders", "\"deletedAt\" IS NULL AND type = 'SALES'")
        new = make(
            conn, "orders", organizationId=order["organizationId"], workspaceId=order["workspaceId"],
            customerId=order["customerId"], type="SALES", status="CONFIRMED", currency="KZT",
            totalAmount=1000 + rng.randrange(9000), orderDate=random_day(rng),
        )  # fmt: skip
        product = pick(conn, rng, "products", f"\"organizationId\" = '{order['organizationId']}'")
        make(conn, "order_items", orderId=new["id"], productId=product["id"], quantity=2, unitPrice=500,
             totalPrice=1000)  # fmt: skip
        movement = pick(conn, rng, "stock_movements", "type = 'IN'")
        make(
            conn, "stock_movements", organizationId=movement["organizationId"],
            workspaceId=movement["workspaceId"], warehouseId=movement["warehouseId"],
            productId=movement["productId"], type="IN", quantity=7, createdAt=random_day(rng),
        )  # fmt: skip
        # updates: an amount, a date moved to another day (its old day changes too), a deal won
        conn.execute(
            text('UPDATE orders SET "totalAmount" = "totalAmount" * 2 WHERE id = :id'),
            {"id": pick(conn, rng, "orders")["id"]},
        )
        conn.execute(
            text('UPDATE orders SET "orderDate" = :day WHERE id = :id'),
            {"id": pick(conn, rng, "orders")["id"], "day": random_day(rng)},
        )
        conn.execute(
            text('UPDATE invoices SET "totalAmount" = "totalAmount" + 100 WHERE id = :id'),
            {"id": pick(conn, rng, "invoices")["id"]},
        )
        conn.execute(
            text('UPDATE deals SET "wonAt" = :day WHERE id = :id'),
            {"id": pick(conn, rng, "deals", '"wonAt" IS NULL AND "lostAt" IS NULL')["id"], "day": random_day(rng)},
        )
        conn.execute(
            text("UPDATE tasks SET \"completedAt\" = :day, status = 'DONE' WHERE id = :id"),
            {"id": pick(conn, rng, "tasks")["id"], "day": random_day(rng)},
        )
        conn.execute(
            text("UPDATE attendance SET status = 'ABSENT' WHERE id = :id"),
            {"id": pick(conn, rng, "attendance")["id"]},
        )
        # soft deletes
        for table in ("orders", "invoices", "deals", "customers"):
            conn.execute(
                text(f'UPDATE {table} SET "deletedAt" = now() WHERE id = :id'),
                {"id": pick(conn, rng, table, '"deletedAt" IS NULL')["id"]},
            )
        # hard deletes (the ERP keeps an invoice's paidAmount equal to its payments, and so does this test)
        payment = pick(conn, rng, "payments")
        conn.execute(text("DELETE FROM payments WHERE id = :id"), {"id": payment["id"]})
        paid_by(conn, payment, -payment["amount"])
        conn.execute(
            text("DELETE FROM stock_movements WHERE id = :id"), {"id": pick(conn, rng, "stock_movements")["id"]}
        )
        if dimension:  # a product's cost values every day of the history
            conn.execute(
                text("UPDATE products SET cost = cost + 3 WHERE id = :id"), {"id": pick(conn, rng, "products")["id"]}
            )


def paid_by(conn, payment: dict, amount) -> None:
    """The invoice of an incoming completed payment follows the payment's change (its paidAmount)."""
    if payment["invoiceId"] is not None and payment["type"] == "INCOMING" and payment["status"] == "COMPLETED":
        conn.execute(
            text('UPDATE invoices SET "paidAmount" = "paidAmount" + :amount WHERE id = :id'),
            {"amount": amount, "id": payment["invoiceId"]},
        )


def changes_pending(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM metric_changes")).scalar_one()


def test_nightly_after_random_changes_equals_a_recomputation_from_scratch(generated):
    orgs = organizations(generated)
    expected = from_scratch(generated)
    run_nightly(generated, LAST, orgs, "night-0", floor=FIRST)  # takes the generator's own changes
    assert rows(generated) == expected  # nothing changed since: the nightly run wrote the same rows
    assert changes_pending(generated) == 0

    rng = random.Random(2026)
    for night in range(1, 4):
        touch(generated, rng, dimension=night == 3)
        assert changes_pending(generated) > 0
        result = run_nightly(generated, LAST, orgs, f"night-{night}", floor=FIRST)
        assert not result.failures
        assert changes_pending(generated) == 0
        incremental = rows(generated)
        scratch = from_scratch(generated)
        assert incremental == scratch, f"night {night}: the nightly rows differ from a recomputation"
        assert len(scratch) > 10_000  # the comparison covers the whole history, every period and KPIs


def test_a_quiet_night_recomputes_only_the_newest_day_and_a_change_only_its_organization(generated):
    orgs = organizations(generated)
    run_nightly(generated, LAST, orgs, "quiet-0", floor=FIRST)
    quiet = run_nightly(generated, LAST, orgs, "quiet-1", floor=FIRST)
    assert [(w.first, w.last, len(w.organizations)) for w in quiet.windows] == [(LAST, LAST, 2)]

    old_day = FIRST + dt.timedelta(days=10)
    with generated.begin() as conn:
        order = pick(conn, random.Random(1), "orders", f"\"organizationId\" = '{orgs[0]}'")
        conn.execute(
            text('UPDATE orders SET "orderDate" = :day WHERE id = :id'),
            {"id": order["id"], "day": dt.datetime.combine(old_day, dt.time(12))},
        )
    moved_from = order["orderDate"].date()
    changed = run_nightly(generated, LAST, orgs, "quiet-2", floor=FIRST)
    windows = {w.organizations: (w.first, w.last) for w in changed.windows}
    # the changed organization from the day before the earliest of its old and new day; the other one: LAST
    assert windows == {(orgs[0],): (min(old_day, moved_from) - dt.timedelta(days=1), LAST), (orgs[1],): (LAST, LAST)}


def test_a_run_that_fails_keeps_the_changes_for_the_next_run(generated):
    orgs = organizations(generated)
    run_nightly(generated, LAST, orgs, "keep-0", floor=FIRST)
    with generated.begin() as conn:
        conn.execute(
            text("UPDATE expenses SET amount = amount + 1 WHERE id = :id"),
            {"id": pick(conn, random.Random(3), "expenses")["id"]},
        )
        # a run that claimed the change and died before finishing
        conn.execute(text("UPDATE metric_changes SET \"claimedBy\" = 'dead-run'"))
    assert changes_pending(generated) > 0
    expected_first = run_nightly(generated, LAST, orgs, "keep-1", floor=FIRST).windows[0].first
    assert expected_first < LAST  # the next run took over the dead run's changes
    assert changes_pending(generated) == 0


@pytest.mark.parametrize(
    ("change", "every_day", "stored", "completed", "expected"),
    [
        (None, False, None, None, dt.date(2025, 5, 14)),  # a quiet night: the newest day only
        (None, False, None, dt.date(2025, 5, 10), dt.date(2025, 5, 11)),  # nights missed: caught up
        (dt.date(2025, 4, 2), False, None, dt.date(2025, 5, 13), dt.date(2025, 4, 1)),  # late data
        (None, True, dt.date(2025, 3, 1), dt.date(2025, 5, 13), dt.date(2025, 3, 1)),  # a product's cost
        (dt.date(2020, 1, 1), False, None, None, dt.date(2025, 1, 1)),  # never before the first partition
    ],
)
def test_first_day_of_an_organization_window(change, every_day, stored, completed, expected):
    assert first_day(dt.date(2025, 5, 14), dt.date(2025, 1, 1), change, every_day, stored, completed) == expected


def test_the_scheduled_dagster_run_recomputes_a_late_change_and_takes_it_off_the_log(
    generated, database_url, monkeypatch
):
    # the first partition is the history's first day, as the from-scratch run's (nothing is computed before it)
    monkeypatch.setenv("PROMETRIC_PARTITIONS_START", FIRST.isoformat())
    orgs = organizations(generated)
    run_nightly(generated, LAST, orgs, "dagster-0", floor=FIRST)
    with generated.begin() as conn:  # a late payment, dated on an old day
        payment = pick(conn, random.Random(5), "payments", "type = 'INCOMING' AND status = 'COMPLETED'")
        conn.execute(text("UPDATE payments SET amount = amount + 250 WHERE id = :id"), {"id": payment["id"]})
        paid_by(conn, payment, 250)
    at = dt.datetime.combine(LAST + dt.timedelta(days=1), dt.time(1), tzinfo=ZoneInfo("Asia/Almaty"))
    request = metrics_nightly_schedule(dg.build_schedule_context(scheduled_execution_time=at))
    resources = {"postgres": PostgresResource(database_url=database_url.render_as_string(hide_password=False))}
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [daily_metrics, *rollup_assets, kpi_values], resources=resources, instance=instance, tags=request.tags
        )
    assert result.success
    daily = next(m for m in result.get_asset_materialization_events() if m.asset_key.path == ["daily_metrics"])
    windows = daily.materialization.metadata["nightly_windows"].value
    # the payment's organization from the day before the payment (or before its invoice's dates, which the
    # paidAmount update recorded too), the other organization: the newest day only
    first = payment["paymentDate"] - dt.timedelta(days=1)
    assert sorted((w["first"] <= str(first), w["last"], w["organizations"]) for w in windows) == [
        (False, str(LAST), 1),
        (True, str(LAST), 1),
    ]
    assert changes_pending(generated) == 0
    incremental = rows(generated)
    assert incremental == from_scratch(generated)


def test_the_log_records_the_old_and_new_day_of_a_move_and_ignores_columns_no_metric_reads(generated):
    orgs = organizations(generated)
    run_nightly(generated, LAST, orgs, "log-0", floor=FIRST)
    with generated.begin() as conn:
        employee = pick(conn, random.Random(8), "employees", '"hireDate" IS NOT NULL')
        conn.execute(text("UPDATE employees SET salary = salary + 1 WHERE id = :id"), {"id": employee["id"]})
        assert conn.execute(text("SELECT count(*) FROM metric_changes")).scalar_one() == 0  # salary: no metric
        conn.execute(text("UPDATE employees SET status = 'terminated' WHERE id = :id"), {"id": employee["id"]})
        task = pick(conn, random.Random(9), "tasks", '"deletedAt" IS NULL')
        conn.execute(text("DELETE FROM tasks WHERE id = :id"), {"id": task["id"]})  # a hard delete
        # one row per transition table (old and new rows) and organization
        logged = conn.execute(text('SELECT DISTINCT source, "firstDay" FROM metric_changes ORDER BY source')).all()
    days = [
        d.date() if isinstance(d, dt.datetime) else d for d in (task["createdAt"], task["completedAt"], task["dueDate"])
    ]
    assert [tuple(r) for r in logged] == [
        ("employees", employee["hireDate"]),  # headcount from the hire date on
        ("tasks", min(d for d in days if d is not None)),
    ]
