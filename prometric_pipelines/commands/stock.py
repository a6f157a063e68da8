"""`prometric run reconcile [--date DATE] [--org ID] [--apply] [--full]`: the stock reconciliation job."""

from __future__ import annotations

import argparse

from prometric_pipelines.validation import argparse_type, parse_date, parse_uuid


def register(run_jobs: argparse._SubParsersAction, commands: argparse._SubParsersAction) -> None:
    from prometric_pipelines.business_calendar import TIMEZONE_NAME, business_today

    reconcile = run_jobs.add_parser(
        "reconcile", help="stock reconciliation: ledger vs inventory vs products (findings; --apply fixes)"
    )
    reconcile.add_argument(
        "--date",
        type=argparse_type(parse_date, "--date", today=business_today()),
        help=f"run date, YYYY-MM-DD (default today in {TIMEZONE_NAME}; not in the future)",
    )
    reconcile.add_argument(
        "--org", action="append", type=argparse_type(parse_uuid), help="organization id (repeatable; default all)"
    )
    reconcile.add_argument(
        "--apply",
        action="store_true",
        help="take the physical count as the truth: post ADJUSTMENT movements, sync products' stock (audited)",
    )
    reconcile.add_argument(
        "--full",
        action="store_true",
        help="read every movement and rebuild the sealed balances (default: sealed balances + later movements)",
    )
    reconcile.set_defaults(handler=_reconcile)


def _reconcile(args: argparse.Namespace) -> int:
    from prometric_pipelines.business_calendar import business_today
    from prometric_pipelines.db.engine import check_connection, create_db_engine
    from prometric_pipelines.db.roles import login_url
    from prometric_pipelines.defs.stock.run_config import stock_run_config
    from prometric_pipelines.lib.partitions import partition_tags
    from prometric_pipelines.orchestration import run_job
    from prometric_pipelines.stock.reconcile import KINDS, organizations_to_reconcile

    run_date = args.date or business_today()
    engine = create_db_engine(login_url("jobs"))
    check_connection(engine)
    # checked here too, so that a mistake is one line before any Dagster run is recorded
    organizations = organizations_to_reconcile(engine, args.org)
    engine.dispose()
    result = run_job(
        "stock_reconciliation_job",
        stock_run_config(args.org, apply_adjustments=args.apply, full_pass=args.full),
        tags={**partition_tags(run_date), "prometric/source": "cli"},
    )
    meta = result.asset_materializations_for_node("stock_reconciliation")[0].metadata
    mode = "applied" if args.apply else "findings only"
    print(f"stock reconciliation {run_date} ({mode}): {len(organizations)} organization(s), run {result.run_id}")
    print(f"  {'kind':<24} {'findings':>9} {'value impact (KZT)':>20}")
    for kind in KINDS:
        print(f"  {kind:<24} {meta[f'findings_{kind}'].value:>9,} {meta[f'value_impact_{kind}'].value:>20,.2f}")
    if args.apply:
        print(
            f"  adjustments posted: {meta['adjustments_posted'].value}, products synced: "
            f"{meta['products_synced'].value}, audit rows: {meta['audit_rows'].value}"
        )
    print(f"  notifications to warehouse managers: {meta['notifications'].value}")
    print(
        f"  ledger: {meta['organizations_from_sealed_balances'].value} organization(s) from sealed balances, "
        f"{meta['unsealed_pairs'].value} (warehouse, product) pair(s) unsealed by late movements"
    )
    failing = [
        check.check_name
        for check in result.get_asset_check_evaluations()
        if not check.passed and check.severity.value == "ERROR"
    ]
    if failing:
        print(f"  failing checks: {', '.join(failing)}")
    return 0
