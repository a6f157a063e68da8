"""Failure isolation in the metrics job: one organization whose data breaks a step (a trigger raising for
its rows of `metrics`) is rolled back alone and reported; the other organization is written exactly as
by a clean run; re-running only the failed organization after the fault is gone completes the picture."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pytest
from sqlalchemy import text

from prometric_pipelines.defs.metrics.assets import daily_metrics, kpi_values, rollup_assets
from prometric_pipelines.generate.run import generate
from prometric_pipelines.generate.scales import options_for
from prometric_pipelines.lib.partitions import partition_range_tags
from prometric_pipelines.lib.resources import PostgresResource
from tests.faults.isolation import check, fault, materialization_failures, notified, owners, run_failure, step_errors

pytestmark = pytest.mark.faults

FIRST, LAST = dt.date(2025, 7, 1), dt.date(2025, 7, 10)
ROWS = text("""
    SELECT CAST("organizationId" AS text), "workspaceId", name, type, period, date, value, "previousValue",
           change, target, metadata - 'run_id' - 'computed_at' AS metadata
    FROM metrics ORDER BY "organizationId", "workspaceId", name, type, period, date""")
ASSETS = [daily_metrics, *rollup_assets, kpi_values]


@pytest.fixture(scope="module")
def orgs(engine) -> tuple[str, str]:
    generate(engine, options_for("demo", orgs=2, days=60, start=dt.date(2025, 6, 1), seed=11))
    with engine.connect() as conn:
        clean, bad = (str(o) for o in conn.execute(text("SELECT id FROM organizations ORDER BY id")).scalars())
    return clean, bad


def rows(engine, organization: str | None = None) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(ROWS) if organization is None or r[0] == organization]


def clear(engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM metrics"))


def materialize(database_url, instance, organization_ids=None) -> dg.ExecuteInProcessResult:
    config = {"organization_ids": organization_ids}
    return dg.materialize(
        ASSETS,
        resources={"postgres": PostgresResource(database_url=database_url.render_as_string(hide_password=False))},
        instance=instance,
        tags=partition_range_tags(FIRST, LAST),
        run_config={"ops": {asset.op.name: {"config": config} for asset in ASSETS}},
        raise_on_error=False,
    )


@pytest.mark.parametrize(
    ("broken_step", "when"),
    [
        ("daily_metrics", "NEW.period = 'daily'"),
        ("monthly_metrics", "NEW.period = 'monthly' AND NEW.type <> 'kpi'"),
        ("kpi_values", "NEW.type = 'kpi'"),
    ],
)
def test_one_organization_failing_a_metrics_step_is_rolled_back_alone(engine, database_url, orgs, broken_step, when):
    clean, bad = orgs
    clear(engine)
    with dg.instance_for_test() as instance:
        first = materialize(database_url, instance)
        assert first.success, step_errors(first)
        full = rows(engine)
        assert {r[0] for r in full} == {clean, bad}
        clear(engine)

        with fault(engine, "metrics", bad, when, message="injected fault: metric row refused"):
            result = materialize(database_url, instance)
        assert not result.success
        description, failed = run_failure(result)
        assert description == "partial: 1 of 2 organizations failed"
        assert [(f["organization_id"], f["step"], f["reason"]) for f in failed] == [
            (bad, broken_step, "injected fault: metric row refused")
        ]
        assert failed[0]["organization_name"]
        # the clean organization's rows are those of the clean run; the bad one has none of the broken
        # step, nor of the KPIs after it (left out); a step before the broken one wrote its rows
        assert rows(engine, clean) == [r for r in full if r[0] == clean]
        bad_rows = rows(engine, bad)
        broken_period = broken_step.removesuffix("_metrics")
        assert not [r for r in bad_rows if (r[4] == broken_period and r[3] != "kpi") or r[3] == "kpi"]
        assert [r for r in bad_rows if r[3] != "kpi" and r[4] == "monthly"] == (
            [r for r in full if r[0] == bad and r[3] != "kpi" and r[4] == "monthly"]
            if broken_step == "kpi_values"
            else []
        )
        # (daily KPI rows, e.g. daily_revenue_target, are the KPI step's: left out above)
        assert [r for r in bad_rows if r[4] == "daily" and r[3] != "kpi"] == (
            []
            if broken_step == "daily_metrics"
            else [r for r in full if r[0] == bad and r[4] == "daily" and r[3] != "kpi"]
        )
        passed, check_failed, check_text = check(result, f"{broken_step}_organizations_completed")
        assert not passed and [f["organization_id"] for f in check_failed] == [bad]
        assert bad in check_text and "injected fault" in check_text
        assert [f["organization_id"] for f in materialization_failures(result, broken_step)] == [bad]
        # every later step completed for the clean organization
        if broken_step != "kpi_values":
            kpi_passed, kpi_failed, _ = check(result, "kpi_values_organizations_completed")
            assert kpi_passed and kpi_failed == []
        # only the failed organization's owners hear of it, about that organization
        messages = notified(engine, result.run_id)
        assert [user for user, _, _ in messages] == owners(engine, bad) != []
        assert all(named == [bad] and "injected fault" in message for _, named, message in messages)

        rerun = materialize(database_url, instance, [bad])
        assert rerun.success, step_errors(rerun)
        assert rows(engine) == full


def test_a_platform_error_still_fails_the_whole_step(engine, database_url, orgs):
    """A missing table is not an organization's data: nothing is isolated, nobody is blamed."""
    clear(engine)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE deals RENAME TO deals_away"))
    try:
        with dg.instance_for_test() as instance:
            result = materialize(database_url, instance)
    finally:
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE deals_away RENAME TO deals"))
    assert not result.success
    assert not any(e.is_step_failure and e.step_failure_data.user_failure_data is not None for e in result.all_events)
    assert rows(engine) == []
    assert notified(engine, result.run_id) == []
