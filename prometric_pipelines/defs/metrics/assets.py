"""Metrics assets: the daily rows, the rollups that follow them, and the KPIs.

Every asset shares the daily partitions (business days, lib/partitions.py) and runs a whole partition range
in one run (`BackfillPolicy.single_run()`): a three-year backfill is one set-based pass. The rollups and
`kpi_values` recompute only the periods that contain a day of the range. A nightly run (tagged by
`metrics_nightly_schedule`, run_config.py) also recomputes every earlier day whose facts changed.
"""

from collections.abc import Iterator

import dagster as dg

from prometric_pipelines.config import partitions_start
from prometric_pipelines.defs.metrics.checks import DAILY_METRICS_FRESHNESS
from prometric_pipelines.defs.metrics.run_config import NIGHTLY_CHANGES, NIGHTLY_TAG, MetricsConfig
from prometric_pipelines.defs.schema.assets import erp_table_key
from prometric_pipelines.lib.isolation import earlier_failures, report_failures
from prometric_pipelines.lib.partitions import daily_partitions, partition_days
from prometric_pipelines.lib.resources import PostgresResource
from prometric_pipelines.lib.run_config import config_organizations
from prometric_pipelines.metrics.checks import check_daily
from prometric_pipelines.metrics.isolated import daily_isolated, kpis_isolated, rollup_isolated
from prometric_pipelines.metrics.nightly import NightlyWindow, claim_changes, finish, plan_windows, run_window_step
from prometric_pipelines.metrics.periods import PERIODS, Period
from prometric_pipelines.metrics.run import DAILY_STEPS, MetricsResult
from prometric_pipelines.monitoring.isolation import (
    completed_check_result,
    completed_check_spec,
    failure_metadata,
)
from prometric_pipelines.progress import ThrottledProgress

FACT_TABLES = (
    "organizations", "workspaces", "orders", "order_items", "customers", "deals", "invoices", "payments",
    "expenses", "stock_movements", "products", "warehouses", "production_orders", "employees", "attendance",
    "leaves", "tasks", "kpi_definitions",
)  # fmt: skip


def _run_organizations(context: dg.AssetExecutionContext, engine, config: MetricsConfig) -> tuple[list[str], int]:
    """(organizations this step computes, organizations of the run): the run's organizations less those an
    earlier step of the same run rolled back (their rows stay as they were until a re-run)."""
    organizations = config_organizations(engine, config)
    failed_before = {f.organization_id for f in earlier_failures(context)}
    return [o for o in organizations if o not in failed_before], len(organizations)


def _nightly(context: dg.AssetExecutionContext) -> bool:
    return context.run.tags.get(NIGHTLY_TAG) == NIGHTLY_CHANGES


def _nightly_step(
    context: dg.AssetExecutionContext, engine, step: str, period: str, organizations: list[str]
) -> tuple[MetricsResult, list, list[NightlyWindow]]:
    """A nightly run's step over its windows (the run's claimed changes; daily_metrics claims them)."""
    last = partition_days(context)[1]
    if step == "daily":
        claim_changes(engine, context.run.run_id, organizations)
    windows = plan_windows(engine, context.run.run_id, last, organizations, partitions_start())
    result, failures = run_window_step(engine, step, windows, set(), context.run.run_id)
    if result is None:  # no organization to compute
        result = MetricsResult(period, last, last, 0)
    result.organizations = len(organizations)
    return result, failures, windows


def _windows_metadata(windows: list[NightlyWindow]) -> dict[str, object]:
    return {
        "nightly_windows": dg.MetadataValue.json(
            [{"first": str(w.first), "last": str(w.last), "organizations": len(w.organizations)} for w in windows]
        )
    }


# The steps after each metrics step in a run: the last one present raises the run's partial failure.
LATER_STEPS = {
    "daily_metrics": (
        "weekly_metrics",
        "monthly_metrics",
        "quarterly_metrics",
        "yearly_metrics",
        "kpi_values",
        "metric_alerts",
    ),
    **{f"{name}_metrics": ("kpi_values", "metric_alerts") for name in ("weekly", "monthly", "quarterly", "yearly")},
    "kpi_values": ("metric_alerts",),
}


def _metadata(result: MetricsResult) -> dict[str, object]:
    return {
        "period": result.period,
        "first_day": str(result.first),
        "last_day": str(result.last),
        "organizations": result.organizations,
        "rows_written": result.rows_written,
        "rows_deleted": result.rows_deleted,
        "duration_s": result.seconds,
        # data quality (docs/data-quality.md): rows left out, by organization, step, source and reason
        "skipped_rows": result.skipped_rows,
        "skipped_by_reason": dg.MetadataValue.json(result.skipped),
    }


COMMON = {
    "partitions_def": daily_partitions,
    "backfill_policy": dg.BackfillPolicy.single_run(),
    "group_name": "metrics",
    "kinds": {"postgres", "sql"},
    "pool": "postgres",
}


@dg.asset(
    **COMMON,
    deps=[erp_table_key(t) for t in FACT_TABLES],
    description="Daily rows of every catalog metric (specs/metrics.md) in `metrics`, organization-local days.",
    freshness_policy=DAILY_METRICS_FRESHNESS,
    check_specs=[
        dg.AssetCheckSpec("row_counts_per_workspace", asset="daily_metrics",
                          description="every workspace has every flow/snapshot metric on every day"),
        dg.AssetCheckSpec("no_duplicate_keys", asset="daily_metrics",
                          description="no two rows for one organization, workspace, metric, period and day"),
        dg.AssetCheckSpec("orders_revenue_reconciles", asset="daily_metrics",
                          description="Σ orders_revenue equals a direct SUM over orders"),
        dg.AssetCheckSpec("skipped_currency_rows", asset="daily_metrics",
                          description="rows left out: no exchange rate, malformed rows, values out of range"),
        completed_check_spec("daily_metrics"),
    ],
)  # fmt: skip
def daily_metrics(
    context: dg.AssetExecutionContext, postgres: PostgresResource, config: MetricsConfig
) -> Iterator[dg.MaterializeResult]:
    first, last = partition_days(context)
    engine = postgres.get_engine()
    organizations, total = _run_organizations(context, engine, config)
    days = (last - first).days + 1
    progress = ThrottledProgress(
        context.log.info, f"daily_metrics {first}..{last} ({days} days)", len(DAILY_STEPS), "steps"
    )
    nightly: dict[str, object] = {}
    if _nightly(context):
        result, failures, windows = _nightly_step(context, engine, "daily", "daily", organizations)
        nightly = _windows_metadata(windows)
    else:
        result, failures = daily_isolated(engine, first, last, organizations, context.run.run_id, progress.update)
    failed = {f.organization_id for f in failures}
    checks = check_daily(engine, first, last, [o for o in organizations if o not in failed])
    # the CLI prints the step's report from the metadata; the run's log keeps it at debug
    context.log.debug(f"daily metrics {first}..{last}: {result.rows_written} rows in {result.seconds} s")
    yield dg.MaterializeResult(
        metadata={
            **_metadata(result),
            **nightly,
            "query_seconds": dg.MetadataValue.json(result.timings),
            **failure_metadata(failures, total),
        },
        check_results=[
            completed_check_result("daily_metrics", failures, total),
            dg.AssetCheckResult(
                check_name="row_counts_per_workspace",
                passed=not checks.incomplete_workspaces,
                metadata={"incomplete_workspaces": dg.MetadataValue.json(checks.incomplete_workspaces)},
            ),
            dg.AssetCheckResult(
                check_name="no_duplicate_keys",
                passed=checks.duplicate_keys == 0,
                metadata={"duplicate_keys": checks.duplicate_keys},
            ),
            dg.AssetCheckResult(
                check_name="orders_revenue_reconciles",
                passed=not checks.revenue_mismatches,
                metadata={"mismatches": dg.MetadataValue.json(checks.revenue_mismatches)},
            ),
            dg.AssetCheckResult(
                check_name="skipped_currency_rows",
                passed=result.skipped_rows == 0,
                severity=dg.AssetCheckSeverity.WARN,
                description=(
                    f"{result.skipped_rows} row(s) left out (no exchange rate, malformed rows, values out of "
                    "range): see metrics_skipped_rows and docs/data-quality.md"
                    if result.skipped_rows
                    else "no row left out"
                ),
                metadata={"skipped_rows": result.skipped_rows, "by_source": dg.MetadataValue.json(result.skipped)},
            ),
        ],
    )
    report_failures(context, engine, failures, total, later_steps=LATER_STEPS["daily_metrics"])


# Rollups and KPIs follow the newest daily_metrics partition (older days are backfilled through
# metrics_job, which selects them all). Lineage-only deps are ignored: the ERP tables are external
# assets that are never materialized, so eager() would wait for them for ever; a month without a
# payroll run must not hold the rollups back.
FOLLOW_DAILY_METRICS = dg.AutomationCondition.eager().ignore(
    dg.AssetSelection.assets("payroll_run") | dg.AssetSelection.key_prefixes(["erp"], include_sources=True)
)


def _rollup_asset(period: Period) -> dg.AssetsDefinition:
    @dg.asset(
        **COMMON,
        name=f"{period.name}_metrics",
        # payroll_gross reads the `payroll` rows that payroll_run writes: lineage only, so a month
        # without a payroll run does not hold the rollups back
        deps=[
            daily_metrics,
            erp_table_key("orders"),
            dg.AssetDep("payroll_run", partition_mapping=dg.AllPartitionMapping()),
        ],
        automation_condition=FOLLOW_DAILY_METRICS,
        description=f"{period.name.capitalize()} rows of every metric, for the periods containing the days run.",
        check_specs=[completed_check_spec(f"{period.name}_metrics")],
    )
    def rollup(context: dg.AssetExecutionContext, postgres: PostgresResource, config: MetricsConfig):
        name = f"{period.name}_metrics"
        first, last = partition_days(context)
        engine = postgres.get_engine()
        organizations, total = _run_organizations(context, engine, config)
        nightly: dict[str, object] = {}
        if _nightly(context):
            result, failures, windows = _nightly_step(context, engine, period.name, period.name, organizations)
            nightly = _windows_metadata(windows)
        else:
            result, failures = rollup_isolated(engine, period, first, last, organizations, context.run.run_id)
        yield dg.MaterializeResult(
            metadata={**_metadata(result), **nightly, **failure_metadata(failures, total)},
            check_results=[completed_check_result(name, failures, total)],
        )
        report_failures(context, engine, failures, total, later_steps=LATER_STEPS[name])

    return rollup


rollup_assets = [_rollup_asset(PERIODS[name]) for name in ("weekly", "monthly", "quarterly", "yearly")]


@dg.asset(
    **COMMON,
    deps=[daily_metrics, *rollup_assets, erp_table_key("kpi_definitions")],
    automation_condition=FOLLOW_DAILY_METRICS,
    description="KPI rows (type 'kpi') from the formulas of kpi_definitions, at each KPI's frequency.",
    check_specs=[
        dg.AssetCheckSpec(
            "kpi_formula_failures",
            asset="kpi_values",
            description="every KPI formula parses and names known metrics (warning: the KPI is left out)",
        ),
        completed_check_spec("kpi_values"),
    ],
)
def kpi_values(
    context: dg.AssetExecutionContext, postgres: PostgresResource, config: MetricsConfig
) -> Iterator[dg.MaterializeResult]:
    first, last = partition_days(context)
    engine = postgres.get_engine()
    organizations, total = _run_organizations(context, engine, config)
    nightly: dict[str, object] = {}
    if _nightly(context):
        result, failures, windows = _nightly_step(context, engine, "kpi", "kpi", organizations)
        nightly = _windows_metadata(windows)
        # the run's changes are done with for the organizations every step completed; the others' wait
        failed = {f.organization_id for f in [*earlier_failures(context), *failures]}
        finish(engine, context.run.run_id, last, [o for o in organizations if o not in failed], sorted(failed))
    else:
        result, failures = kpis_isolated(engine, first, last, organizations, context.run.run_id)
    for failure in result.kpi_failures:
        context.log.warning(failure)
    yield dg.MaterializeResult(
        metadata={
            **_metadata(result),
            **nightly,
            "values_not_computed": result.kpi_values_missing,
            **failure_metadata(failures, total),
        },
        check_results=[
            completed_check_result("kpi_values", failures, total),
            dg.AssetCheckResult(
                check_name="kpi_formula_failures",
                passed=not result.kpi_failures,
                severity=dg.AssetCheckSeverity.WARN,
                description="; ".join(result.kpi_failures) or "every formula parsed",
                metadata={"failures": dg.MetadataValue.json(result.kpi_failures)},
            ),
        ],
    )
    report_failures(context, engine, failures, total, later_steps=LATER_STEPS["kpi_values"])
