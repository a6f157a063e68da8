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
    from prometric_pipelines.db.roles import login_url
    from prometric_pipelines.metrics.run import run_organizations

    first, last = parse_date_range(args.start, args.end)
    organizations = parse_organization_ids(args.organizations)
    engine = create_db_engine(login_url("jobs"))
    check_connection(engine)
    with engine.connect() as conn:  # unknown organizations fail here, before a run is started
        run_organizations(conn, organizations)
    engine.dispose()

    from prometric_pipelines.defs.metrics.run_config import metrics_run_config
    from prometric_pipelines.lib.partitions import partition_range_tags
    from prometric_pipelines.orchestration import run_job

    result = run_job("metrics_job", metrics_run_config(organizations), partition_range_tags(first, last))
    for line in report_lines(result, first, last):
        print(line)
    return 0


def report_lines(result, first, last) -> list[str]:
    """One line per step (asset) of a metrics run, then the checks that did not pass.

    A range run records one materialization per day and asset, all with the step's metadata: the
    report takes each asset's first one (the days are in its first_day..last_day)."""
    lines = [f"metrics {first}..{last} (run {result.run_id}): {(last - first).days + 1} day(s)"]
    steps: dict[str, dict] = {}
    for materialization in result.get_asset_materialization_events():
        key = materialization.asset_key.to_user_string()
        steps.setdefault(key, {k: v.value for k, v in materialization.materialization.metadata.items()})
    for key in (asset for asset in ASSETS if asset in steps):
        meta = steps[key]
        lines.append(
            f"  {key:<18} {meta['first_day']}..{meta['last_day']}  {meta['rows_written']:>9,} rows written, "
            f"{meta['rows_deleted']:>7,} deleted, {meta['duration_s']:>7.1f} s"
        )
    failed = {c.check_name: c.description for c in result.get_asset_check_evaluations() if not c.passed}
    for name, description in sorted(failed.items()):
        lines.append(f"  check {name}: {description or 'failed'}")
    return lines
