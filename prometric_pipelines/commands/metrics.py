"""`prometric run metrics --from DATE [--to DATE] [--org ID …]`: the metrics job through Dagster."""

from __future__ import annotations

import argparse

from prometric_pipelines.validation import argparse_type, parse_date, parse_date_range, parse_organization_ids

ASSETS = ("daily_metrics", "weekly_metrics", "monthly_metrics", "quarterly_metrics", "yearly_metrics", "kpi_values")


def register(run_jobs: argparse._SubParsersAction, commands: argparse._SubParsersAction) -> None:
    parser = run_jobs.add_parser(
        "metrics",
        help="daily metrics, rollups and KPIs for a range of days",
        description="Recompute the metrics of the local days FROM..TO (default: FROM only) for every "
        "organization, or those given with --org, in one Dagster run.",
    )
    parser.add_argument("--from", dest="start", required=True, type=argparse_type(parse_date, "--from date"))
    parser.add_argument("--to", dest="end", type=argparse_type(parse_date, "--to date"))
    parser.add_argument(
        "--org", dest="organizations", action="append", metavar="ID", help="an organization (repeatable)"
    )
    parser.set_defaults(handler=run_metrics)


def run_metrics(args: argparse.Namespace) -> int:
    from prometric_pipelines.db.engine import check_connection, create_db_engine
    from prometric_pipelines.metrics.run import run_organizations

    first, last = parse_date_range(args.start, args.end)
    organizations = parse_organization_ids(args.organizations)
    engine = create_db_engine()
    check_connection(engine)
    with engine.connect() as conn:  # unknown organizations fail here, before a run is started
        run_organizations(conn, organizations)
    engine.dispose()

    from prometric_pipelines.defs.metrics.definitions import partition_range_tags
    from prometric_pipelines.orchestration import run_job

    config = {"organization_ids": organizations}
    result = run_job(
        "metrics_job",
        {"ops": {asset: {"config": config} for asset in ASSETS}},
        partition_range_tags(first, last),
    )
    print(f"metrics {first}..{last} (run {result.run_id}): {(last - first).days + 1} day(s)")
    for materialization in result.get_asset_materialization_events():
        key = materialization.asset_key.to_user_string()
        meta = {k: v.value for k, v in materialization.materialization.metadata.items()}
        print(
            f"  {key:<18} {meta.get('first_day')}..{meta.get('last_day')}  {meta.get('rows_written')} rows written, "
            f"{meta.get('rows_deleted')} deleted, {meta.get('duration_s')} s"
        )
    for check in result.get_asset_check_evaluations():
        if not check.passed:
            print(f"  check {check.check_name}: {check.description or 'failed'}")
    return 0
