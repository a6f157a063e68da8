"""`prometric run payroll --month YYYY-MM [--org ID …] [--approve] [--mark-paid] [--payment-date DATE]
[--recompute-all]`."""

from __future__ import annotations

import argparse
import sys

from prometric_pipelines.validation import (
    argparse_type,
    parse_date,
    parse_month,
    parse_organization_ids,
    require_organizations,
)


def register(run_jobs: argparse._SubParsersAction, commands: argparse._SubParsersAction) -> None:
    parser = run_jobs.add_parser(
        "payroll",
        help="compute a month's payroll (DRAFT), or approve it / mark it paid",
        description="Runs the payroll_job (asset payroll_run) for one month through Dagster.",
    )
    parser.add_argument("--month", required=True, type=argparse_type(parse_month, "--month"), help="YYYY-MM")
    parser.add_argument("--org", action="append", metavar="ID", help="organization id (repeatable); default all")
    parser.add_argument("--approve", action="store_true", help="move the month's DRAFT rows to APPROVED")
    parser.add_argument("--mark-paid", action="store_true", help="move the month's APPROVED rows to PAID")
    parser.add_argument(
        "--payment-date", type=argparse_type(parse_date, "--payment-date"), help="for --mark-paid (default today)"
    )
    parser.add_argument(
        "--recompute-all",
        action="store_true",
        help="recompute every DRAFT row, not only those whose inputs changed (repairs rows edited by hand)",
    )
    parser.set_defaults(handler=run_payroll_command)


def run_payroll_command(args: argparse.Namespace) -> int:
    from prometric_pipelines.db.engine import check_connection, create_db_engine
    from prometric_pipelines.db.roles import login_url
    from prometric_pipelines.defs.payroll.run_config import payroll_run_config
    from prometric_pipelines.lib.partitions import partition_tags
    from prometric_pipelines.orchestration import run_job
    from prometric_pipelines.payroll.parameters import PARAMETERS

    month = args.month
    if month.year not in PARAMETERS:
        from prometric_pipelines.validation import InvalidInput

        known = ", ".join(str(year) for year in sorted(PARAMETERS))
        raise InvalidInput(f"--month {month:%Y-%m}: no payroll parameters for {month.year} (known years: {known})")
    ids = parse_organization_ids(args.org)
    engine = create_db_engine(login_url("jobs"))
    check_connection(engine)
    if ids:
        with engine.connect() as conn:
            require_organizations(conn, ids)
    engine.dispose()
    run_config = payroll_run_config(
        ids,
        approve=args.approve,
        mark_paid=args.mark_paid,
        payment_date=args.payment_date,
        recompute_all=args.recompute_all,
    )
    result = run_job("payroll_job", run_config, tags={**partition_tags(month), "prometric/source": "cli"})
    metadata = result.asset_materializations_for_node("payroll_run")[0].metadata
    print(metadata["report"].value.strip("`\n"), flush=True)
    failed = [check.check_name for check in result.get_asset_check_evaluations() if not check.passed]
    if failed:
        print(f"checks failed: {', '.join(failed)} (see the run in the Dagster UI)", flush=True)
        return 1
    drafts = metadata["rows_by_status"].value.get("DRAFT", 0)
    if args.mark_paid and not args.approve and metadata["paid"].value == 0 and drafts:
        # only APPROVED rows can be paid: say what to do instead of a silent "marked paid 0"
        print(
            f"prometric: nothing marked paid: the {drafts:,} row(s) of {month:%Y-%m} are DRAFT; approve them first "
            f"(prometric run payroll --month {month:%Y-%m} --approve), then --mark-paid",
            file=sys.stderr,
        )
        return 1
    return 0
