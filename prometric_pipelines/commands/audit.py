"""`prometric run archive …` (through Dagster) and `prometric audit query|verify` (direct reads)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

from prometric_pipelines.validation import (
    InvalidInput,
    argparse_type,
    parse_date,
    parse_month,
    parse_organization_ids,
    parse_positive_int,
    parse_uuid,
    require_organizations,
)

RESTORE_TAGS = {"prometric/source": "cli"}


def register(run_jobs: argparse._SubParsersAction, commands: argparse._SubParsersAction) -> None:
    archive = run_jobs.add_parser(
        "archive",
        help="move audit logs older than the retention to Parquet (or --restore a month)",
        description="Archive audit logs older than the retention (or --before DATE), or put a month back.",
    )
    archive.add_argument("--before", type=argparse_type(parse_date, "--before"), help="archive rows before DATE")
    archive.add_argument("--org", action="append", type=argparse_type(parse_uuid), help="organization id (repeatable)")
    archive.add_argument("--restore", action="store_true", help="put an archived month back (needs --month)")
    archive.add_argument("--month", type=argparse_type(parse_month, "--month"), help="the month to restore, YYYY-MM")
    archive.set_defaults(handler=_run_archive)

    audit = commands.add_parser("audit", help="read and check the audit log (live and archived)")
    audit_commands = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    query = audit_commands.add_parser("query", help="audit rows of one organization, live and archived, newest first")
    query.add_argument("--org", required=True, type=argparse_type(parse_uuid), help="organization id (required)")
    query.add_argument("--user", type=argparse_type(parse_uuid, "--user"), help="user id")
    query.add_argument("--entity", help="entity name, e.g. orders")
    query.add_argument("--entity-id", type=argparse_type(parse_uuid, "--entity-id"), help="entity id")
    query.add_argument("--action", help="action, e.g. CREATE")
    query.add_argument("--from", dest="start", type=argparse_type(parse_date, "--from"), help="first day (UTC)")
    query.add_argument("--to", dest="end", type=argparse_type(parse_date, "--to"), help="last day (UTC), inclusive")
    query.add_argument("--limit", type=argparse_type(parse_positive_int, "--limit", maximum=1_000_000), default=100)
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")
    query.set_defaults(handler=_audit_query)
    verify = audit_commands.add_parser("verify", help="re-hash every archived file and each organization's chain")
    verify.add_argument("--org", action="append", type=argparse_type(parse_uuid), help="organization id (repeatable)")
    verify.set_defaults(handler=_audit_verify)


def _engine():
    """The jobs login: the audit commands read the live and archived rows, as the archive job does."""
    from prometric_pipelines.db.engine import check_connection, create_db_engine
    from prometric_pipelines.db.roles import login_url

    engine = create_db_engine(login_url("jobs"))
    check_connection(engine)
    return engine


def _require_known(engine, ids: list[str] | None) -> None:
    if ids is not None:
        with engine.connect() as conn:
            require_organizations(conn, ids)


def _run_archive(args: argparse.Namespace) -> int:
    from prometric_pipelines.audit.storage import Archive
    from prometric_pipelines.business_calendar import previous_month
    from prometric_pipelines.defs.audit.run_config import archive_run_config, restore_run_config
    from prometric_pipelines.lib.partitions import partition_tags
    from prometric_pipelines.orchestration import run_job

    if args.restore and args.month is None:
        raise InvalidInput("--restore needs --month YYYY-MM")
    if not args.restore and args.month is not None:
        raise InvalidInput("--month is only for --restore")
    if args.restore and args.before is not None:
        raise InvalidInput("--before cannot be combined with --restore")
    ids = parse_organization_ids(args.org)
    Archive.from_url().store.check()  # a bad ARCHIVE_URL (or bucket) is reported before anything runs
    engine = _engine()
    _require_known(engine, ids)
    engine.dispose()

    if args.restore:
        result = run_job("audit_restore_job", restore_run_config(args.month, ids), RESTORE_TAGS)
        summary = result.output_for_node("restore_audit_month")
        for file in summary["files"]:
            rows = f"{file['rows_inserted']:>10,} of {file['rows_in_file']:,} rows"
            print(f"  {file['organization']}  {rows}  {file['path']}")
        print(f"restored {summary['rows_restored']:,} rows of {summary['month']} from {len(summary['files'])} file(s)")
        return 0

    ended = previous_month(dt.date.today())  # the month that ended last, as the schedule does
    result = run_job(
        "audit_archive_job", archive_run_config(ids, args.before), {"prometric/source": "cli", **partition_tags(ended)}
    )
    metadata = result.asset_materializations_for_node("audit_archive")[0].metadata
    for piece in metadata["pieces"].value:
        print(f"  {piece['organization']}  {piece['month']}  {piece['rows']:>10,} rows  {piece['path']}")
    for organization, reason in metadata["skipped_organizations"].value.items():
        print(f"  {organization}  skipped: {reason}")
    for path in metadata["files_kept_rows_not_live"].value:
        print(f"  kept {path}: no active manifest lists it, but its rows are not in the database (audit verify)")
    checks = {c.check_name: c.passed for c in result.get_asset_check_evaluations()}
    failed = sorted(name for name, passed in checks.items() if not passed)
    print(
        f"archived {metadata['rows_archived'].value:,} rows into {metadata['files_written'].value} file(s) in "
        f"{metadata['duration_s'].value:.1f} s ({metadata['archive'].value}); checks: "
        + ("all passed" if not failed else "FAILED " + ", ".join(failed))
    )
    return 0 if not failed else 1


def _audit_query(args: argparse.Namespace) -> int:
    from prometric_pipelines.audit.query import AuditFilters, query_audit_logs
    from prometric_pipelines.audit.storage import Archive

    if args.start is not None and args.end is not None and args.end < args.start:
        raise InvalidInput(f"date range is reversed: --from {args.start} is after --to {args.end}")
    filters = AuditFilters(
        user_id=args.user,
        entity=args.entity,
        entity_id=args.entity_id,
        action=args.action,
        start=dt.datetime.combine(args.start, dt.time()) if args.start else None,
        end=dt.datetime.combine(args.end + dt.timedelta(days=1), dt.time()) if args.end else None,
    )
    archive = Archive.from_url()
    engine = _engine()
    _require_known(engine, [args.org])
    with engine.connect() as conn:
        frame = query_audit_logs(conn, args.org, filters, archive=archive, limit=args.limit)
    engine.dispose()
    if args.format == "csv":
        frame.to_csv(sys.stdout, index=False)
    elif args.format == "json":
        for record in json.loads(frame.to_json(orient="records", date_format="iso")):
            print(json.dumps(record, ensure_ascii=False))
    else:
        print(audit_table_text(frame))
        print(f"{len(frame)} row(s)")
    return 0


def audit_table_text(frame: pd.DataFrame) -> str:
    """The terminal table of `audit query`: rows a job wrote (no user) say "system", empty cells "—"
    (never pandas' NaN/None)."""
    if frame.empty:
        return "(no rows)"
    shown = frame[["createdAt", "action", "entity", "entityId", "userId", "newValue"]].astype(object)
    shown["userId"] = shown["userId"].where(shown["userId"].notna(), "system")
    return shown.where(shown.notna(), "—").to_string(index=False, max_colwidth=60)


def _audit_verify(args: argparse.Namespace) -> int:
    from prometric_pipelines.audit.storage import Archive, organization_label
    from prometric_pipelines.audit.verify import verify_archive

    archive = Archive.from_url()
    engine = _engine()
    report = verify_archive(engine, archive, parse_organization_ids(args.org))
    engine.dispose()
    for chain in report.chains:
        state = "ok" if not chain.problems else f"{len(chain.problems)} problem(s)"
        print(
            f"  {organization_label(chain.organization_id)}: {chain.links} link(s), {chain.files_checked} file(s), "
            f"{chain.rows_checked:,} rows: {state}"
        )
        for problem in chain.problems:
            print(f"    {problem}")
    if report.clean:
        print(f"archive verified: {len(report.chains)} chain(s) intact, every file matches its manifest")
        return 0
    print(f"prometric: audit verify found {len(report.problems)} problem(s) (listed above)", file=sys.stderr)
    return 1
