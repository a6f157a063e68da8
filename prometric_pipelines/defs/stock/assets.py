"""The daily stock reconciliation: asset, its checks, job and schedule (thin layer over
prometric_pipelines/stock/reconcile.py)."""

import datetime as dt
from collections.abc import Iterator

import dagster as dg
from pydantic import Field

from prometric_pipelines.business_calendar import BUSINESS_TIMEZONE, business_today
from prometric_pipelines.config import partitions_start
from prometric_pipelines.defs.automation import default_schedule_status
from prometric_pipelines.defs.operations.isolation import report_failures
from prometric_pipelines.defs.resources import PostgresResource
from prometric_pipelines.defs.schema.assets import erp_table_key
from prometric_pipelines.operations.isolation import completed_check_result, failure_metadata
from prometric_pipelines.stock.reconcile import (
    FAILING_KINDS,
    KINDS,
    ReconciliationResult,
    organizations_to_reconcile,
    reconcile,
)
from prometric_pipelines.validation import check_run_config, parse_date, parse_organization_ids

ASSET_NAME = "stock_reconciliation"
COMPLETED_CHECK = "completed_for_every_organization"

# end_offset=1: today's partition exists, so the 02:00 run reconciles the day it runs on
# ("expired" means expiryDate before that day).
# The first day: PROMETRIC_PARTITIONS_START (config.py).
stock_partitions = dg.DailyPartitionsDefinition(
    start_date=partitions_start().isoformat(), timezone=BUSINESS_TIMEZONE.key, end_offset=1
)


class StockReconciliationConfig(dg.Config):
    apply_adjustments: bool = Field(
        default=False,
        description="Take the physical count as the truth: post ADJUSTMENT movements for ledger_vs_inventory "
        "findings and set products' stock to the inventory sums (audited).",
    )
    organization_ids: list[str] | None = Field(
        default=None, description="Organizations to reconcile; absent or empty: all."
    )
    full_pass: bool = Field(
        default=False,
        description="Read every movement and rebuild the sealed balances, instead of the sealed balances "
        "plus the movements after them (the default once an organization has been sealed).",
    )


def open_findings_check(kind: str) -> str:
    return f"open_{kind}"


@dg.asset(
    name=ASSET_NAME,
    group_name="stock",
    kinds={"postgres", "sql"},
    pool="postgres",
    partitions_def=stock_partitions,
    deps=[erp_table_key(t) for t in ("stock_movements", "inventory", "products", "warehouses")],
    check_specs=[
        dg.AssetCheckSpec(
            COMPLETED_CHECK,
            asset=ASSET_NAME,
            description="A completed run for every organization; fails naming each organization rolled back and why.",
        ),
        *(
            dg.AssetCheckSpec(
                open_findings_check(kind),
                asset=ASSET_NAME,
                description=f"Open {kind} findings: "
                + ("fails above 0." if kind in FAILING_KINDS else "warns above 0."),
            )
            for kind in KINDS
        ),
    ],
    description="Reconciles the stock ledger (stock_movements) with inventory and products for one day: "
    "findings in stock_discrepancies, runs in stock_reconciliation_runs; optional safe adjustment.",
)
def stock_reconciliation(
    context: dg.AssetExecutionContext, config: StockReconciliationConfig, postgres: PostgresResource
) -> Iterator[dg.MaterializeResult]:
    run_date = check_run_config(
        parse_date, context.partition_key, "run date", allow_future=False, today=business_today()
    )
    engine = postgres.get_engine()
    requested = check_run_config(parse_organization_ids, config.organization_ids)
    organizations = check_run_config(organizations_to_reconcile, engine, requested)
    result = reconcile(
        engine,
        run_date,
        organization_ids=organizations,
        apply=config.apply_adjustments,
        run_key=context.run.run_id,
        progress=context.log.info,
        sealed_balances=not config.full_pass,
    )
    total = len(organizations)
    yield dg.MaterializeResult(
        metadata={**run_metadata(result), **failure_metadata(result.failures, total)},
        check_results=check_results(result, organizations),
    )
    report_failures(context, engine, result.failures, total)


def run_metadata(result: ReconciliationResult) -> dict[str, object]:
    findings, values = result.findings, result.value_impact
    return {
        "run_date": str(result.run_date),
        "applied": result.applied,
        "organizations": len(result.organizations),
        "findings_total": sum(findings.values()),
        **{f"findings_{kind}": findings[kind] for kind in KINDS},
        **{f"value_impact_{kind}": float(values[kind]) for kind in KINDS},
        "adjustments_posted": result.adjustments,
        "products_synced": result.products_synced,
        "audit_rows": result.audit_rows,
        "notifications": result.notifications,
        # data quality (docs/data-quality.md): finding values too large for their column, stored as NULL
        "values_out_of_range": result.values_out_of_range,
        # how the ledger was read (docs/stock.md, "Sealed balances")
        "organizations_from_sealed_balances": sum(org.ledger == "sealed" for org in result.organizations),
        "unsealed_pairs": sum(org.unsealed_pairs for org in result.organizations),
        "summary": dg.MetadataValue.md(summary_markdown(result)),
    }


def summary_markdown(result: ReconciliationResult) -> str:
    lines = ["| kind | findings | value impact (KZT) |", "|---|---:|---:|"]
    for kind in KINDS:
        lines.append(f"| {kind} | {result.findings[kind]:,} | {result.value_impact[kind]:,.2f} |")
    return "\n".join(lines)


def check_results(result: ReconciliationResult, organizations: list[str]) -> list[dg.AssetCheckResult]:
    checks = [completed_check_result(ASSET_NAME, result.failures, len(organizations), check_name=COMPLETED_CHECK)]
    for kind in KINDS:
        count = result.findings[kind]
        checks.append(
            dg.AssetCheckResult(
                check_name=open_findings_check(kind),
                passed=count == 0,
                severity=dg.AssetCheckSeverity.ERROR if kind in FAILING_KINDS else dg.AssetCheckSeverity.WARN,
                metadata={"open_findings": count, "value_impact": float(result.value_impact[kind])},
            )
        )
    return checks


stock_reconciliation_job = dg.define_asset_job(
    "stock_reconciliation_job",
    selection=[stock_reconciliation],
    description="Daily stock reconciliation (`prometric run reconcile`).",
)


@dg.schedule(
    name="stock_reconciliation_schedule",
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Almaty",
    job=stock_reconciliation_job,
    default_status=default_schedule_status(),
    description="02:00 Asia/Almaty: reconcile the day that begins (findings only; apply is an operator's choice).",
)
def stock_reconciliation_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    scheduled = context.scheduled_execution_time or dt.datetime.now(BUSINESS_TIMEZONE)
    day = scheduled.astimezone(BUSINESS_TIMEZONE).date()
    return dg.RunRequest(run_key=f"stock-{day}", partition_key=day.isoformat())
