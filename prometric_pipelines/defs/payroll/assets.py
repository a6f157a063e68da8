"""The `payroll_run` asset: one month's payroll (rows in `payroll`, breakdown in `payroll_items`)."""

import datetime as dt
from collections.abc import Iterator

import dagster as dg

from prometric_pipelines.defs.payroll.checks import PAYROLL_FRESHNESS
from prometric_pipelines.defs.payroll.run_config import PayrollConfig
from prometric_pipelines.defs.schema.assets import erp_table_key
from prometric_pipelines.lib.isolation import report_failures
from prometric_pipelines.lib.partitions import monthly_partitions, partition_day
from prometric_pipelines.lib.resources import PostgresResource
from prometric_pipelines.monitoring.isolation import completed_check_result, completed_check_spec, failure_metadata
from prometric_pipelines.payroll.run import PayrollError, check_month, report_json, run_payroll
from prometric_pipelines.validation import (
    check_run_config,
    parse_date,
    parse_organization_ids,
    require_organizations,
)

# From the month of PROMETRIC_PARTITIONS_START, but not before 2025 (the first year with parameters);
# end_offset=1 makes the current month a partition too (a draft before the month ends), matching the
# CLI, which refuses only future months.
PAYROLL_FIRST_MONTH = dt.date(2025, 1, 1)
payroll_partitions = monthly_partitions(PAYROLL_FIRST_MONTH, end_offset=1)


# The spec's checks, evaluated over the month's rows of the run's organizations after every run
# (also over APPROVED and PAID rows, which a run does not recompute).
CHECKS = {
    "net_is_gross_minus_deductions_and_tax": "net = gross − deductions − tax for every row, and never negative",
    "breakdown_matches_rows": "payroll_items earnings, withholdings and tax sum to their payroll row",
    "every_active_employee_paid_or_skipped": "every active employee hired by the month's end has a row or a skip",
}


@dg.asset(
    key="payroll_run",
    group_name="hr",
    kinds={"postgres", "python"},
    pool="postgres",
    partitions_def=payroll_partitions,
    deps=[erp_table_key(name) for name in ("employees", "attendance", "leaves", "organizations", "workspaces")],
    description=(
        "Monthly payroll with Kazakhstan statutory rules: a `payroll` row per employee (DRAFT → APPROVED → PAID) "
        "and its breakdown in `payroll_items`. Config: organization_ids, approve, mark_paid, recompute_all."
    ),
    metadata={"dagster/table_name": "public.payroll"},
    freshness_policy=PAYROLL_FRESHNESS,
    check_specs=[
        *(dg.AssetCheckSpec(name, asset="payroll_run", description=text) for name, text in CHECKS.items()),
        completed_check_spec("payroll_run"),
    ],
)
def payroll_run(
    context: dg.AssetExecutionContext, config: PayrollConfig, postgres: PostgresResource
) -> Iterator[dg.MaterializeResult]:
    month = partition_day(context.partition_key)
    engine = postgres.get_engine()
    ids = check_run_config(parse_organization_ids, config.organization_ids)
    if ids:
        with engine.connect() as conn:
            check_run_config(require_organizations, conn, ids)
    payment_date = check_run_config(parse_date, config.payment_date, "payment_date") if config.payment_date else None
    try:
        report = run_payroll(
            engine,
            month,
            ids,
            approve=config.approve,
            mark_paid=config.mark_paid,
            payment_date=payment_date,
            recompute_all=config.recompute_all,
        )
    except PayrollError as error:
        raise dg.Failure(description=str(error), allow_retries=False) from None
    # the report is the run's metadata (and the CLI prints it): logged at debug, so a terminal run shows it once
    for line in report.lines():
        context.log.debug(line)
    metadata = report.metadata()
    total = len(report.organizations) + len(report.failures)
    # the spec's checks over the organizations written (a rolled-back one is reported by its own check)
    completed = [org.organization_id for org in report.organizations]
    checks = [
        dg.AssetCheckResult(
            check_name=outcome.name,
            passed=outcome.passed,
            metadata={"failures": outcome.failures, "examples": dg.MetadataValue.json(outcome.examples)},
        )
        for outcome in check_month(engine, month, completed if report.failures and completed else ids)
    ]
    yield dg.MaterializeResult(
        check_results=[*checks, completed_check_result("payroll_run", report.failures, total)],
        metadata={
            **metadata,
            "report": dg.MetadataValue.md("```\n" + "\n".join(report.lines()) + "\n```"),
            "skipped_employees": dg.MetadataValue.json(report_json(report)),
            "rows_by_status": dg.MetadataValue.json(metadata["rows_by_status"]),
            "dagster/row_count": metadata["rows"],
            **failure_metadata(report.failures, total),
        },
    )
    report_failures(context, engine, report.failures, total)
