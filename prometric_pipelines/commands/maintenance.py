"""`prometric db backup|restore|health`: the maintenance commands an operator runs by hand.

`db backup` goes through Dagster (the `database_backup` asset, so the run and its manifest show in the
UI); `db restore` runs directly (the database it restores into may have no Dagster around it yet);
`db health` takes and prints a snapshot, the same the hourly `database_health` asset stores.
"""

from __future__ import annotations

import argparse
import uuid

from prometric_pipelines.progress import say
from prometric_pipelines.validation import argparse_type, parse_positive_int

MIB = 1024 * 1024


def register_db(db_commands: argparse._SubParsersAction) -> None:
    backup = db_commands.add_parser(
        "backup", help="pg_dump the database to ARCHIVE_URL/backups/ with a manifest, then apply retention"
    )
    backup.add_argument(
        "--keep-daily-days", type=argparse_type(parse_positive_int, "--keep-daily-days", maximum=3650),
        help="keep every backup of this many last days (default 14)",
    )  # fmt: skip
    backup.add_argument(
        "--keep-monthly-months", type=argparse_type(parse_positive_int, "--keep-monthly-months", maximum=1200),
        help="keep the first backup of each of this many last months (default 12)",
    )  # fmt: skip
    backup.set_defaults(handler=_backup)

    restore = db_commands.add_parser(
        "restore", help="restore a backup into an empty or new database (its SHA-256 is checked first)"
    )
    restore.add_argument(
        "--from", dest="source", required=True, metavar="BACKUP",
        help="a backup's .dump file (or its .json manifest, or its s3:// URL), or `latest` for the newest backup "
        "of the database",
    )  # fmt: skip
    restore.add_argument(
        "--target-url", metavar="URL",
        help="the database to restore into (created when missing, refused when it holds tables); "
        "default: the operational database, which must then be empty",
    )  # fmt: skip
    restore.set_defaults(handler=_restore)

    health = db_commands.add_parser(
        "health", help="table sizes, index usage, dead tuples, long-running queries and connections (stored too)"
    )
    health.add_argument(
        "--long-running-seconds", type=argparse_type(parse_positive_int, "--long-running-seconds", maximum=86400),
        default=300, help="report queries running longer than this (default 300)",
    )  # fmt: skip
    health.set_defaults(handler=_health)


def _backup(args: argparse.Namespace) -> int:
    from prometric_pipelines.audit.storage import Archive
    from prometric_pipelines.db.engine import check_connection, create_db_engine
    from prometric_pipelines.db.roles import login_url
    from prometric_pipelines.defs.maintenance.run_config import backup_run_config
    from prometric_pipelines.maintenance.backup import server_version
    from prometric_pipelines.maintenance.clients import client_programs
    from prometric_pipelines.orchestration import run_job

    # checked before a Dagster run is recorded: a mistake is one line, not a failed run
    archive = Archive.from_url()
    archive.store.check()
    engine = create_db_engine(login_url("maintenance"))
    check_connection(engine)
    with engine.connect() as conn:
        major, version = server_version(conn)
    engine.dispose()
    client_programs(major, version)
    result = run_job(
        "database_backup_job",
        backup_run_config(args.keep_daily_days, args.keep_monthly_months),
        tags={"prometric/source": "cli"},
    )
    meta = result.asset_materializations_for_node("database_backup")[0].metadata
    say(f"backup {meta['path'].value} (run {result.run_id})")
    say(f"  size {meta['size_bytes'].value / MIB:,.2f} MiB, SHA-256 {meta['sha256'].value}")
    say(
        f"  {meta['rows'].value:,} rows in {meta['tables'].value} tables, PostgreSQL {meta['server_version'].value}, "
        f"pg_dump {meta['pg_dump_version'].value}, {meta['duration_s'].value:.1f} s"
    )
    deleted = meta["deleted_by_retention"].value
    say(f"  retention: {len(deleted)} deleted, {meta['backups_kept'].value} kept in {archive.url}/backups")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from prometric_pipelines.config import normalize_database_url
    from prometric_pipelines.db.engine import database_url
    from prometric_pipelines.errors import ConfigError, PrometricError
    from prometric_pipelines.maintenance.backup import resolve_backup, restore

    operational = database_url()
    if args.target_url:
        try:
            target = normalize_database_url(args.target_url)
        except ConfigError as error:
            raise ConfigError(str(error).replace("DATABASE_URL", "--target-url")) from None
    else:
        target = operational
    backup = resolve_backup(args.source, operational.database or "")
    result = restore(backup, target, progress=say)
    if not result.matches:
        differences = result.mismatch_summary()
        raise PrometricError(f"restored into {result.target}, but it differs from the manifest: {differences}")
    say(
        f"restored {backup.name} (taken {backup.manifest['started_at'][:19]} UTC) into {result.target}: "
        f"{result.tables_compared} tables and {result.rows_restored:,} rows match the manifest, "
        f"{result.checksums_compared} table checksums equal ({result.seconds:.1f} s)"
    )
    return 0


def _health(args: argparse.Namespace) -> int:
    from prometric_pipelines.db.engine import check_connection, create_db_engine
    from prometric_pipelines.db.roles import login_url
    from prometric_pipelines.maintenance.health import take_snapshot

    engine = create_db_engine(login_url("maintenance"))
    check_connection(engine)
    report = take_snapshot(engine, run_key=f"cli-{uuid.uuid4()}", long_running_seconds=args.long_running_seconds)
    engine.dispose()
    s = report.snapshot
    say(
        f"{s['database_name']} on PostgreSQL {s['server_version']}: {s['database_bytes'] / MIB:,.1f} MiB; "
        f"connections {s['connections']} here ({s['active_connections']} active, {s['idle_connections']} idle, "
        f"{s['idle_in_transaction_connections']} idle in transaction), {s['server_connections']} of "
        f"{s['max_connections']} on the server"
    )
    say("largest tables:")
    for t in report.tables[:10]:
        say(
            f"  {t['table_name']:<32} {t['total_bytes'] / MIB:>10,.2f} MiB  {t['live_tuples']:>12,} live "
            f"{t['dead_tuples']:>10,} dead"
        )
    unused = report.unused_indexes
    say(f"unused indexes: {len(unused)} ({sum(i['index_bytes'] for i in unused) / MIB:,.2f} MiB)")
    for i in sorted(unused, key=lambda i: -i["index_bytes"])[:10]:
        say(f"  {i['index_name']:<48} on {i['table_name']:<28} {i['index_bytes'] / MIB:>8,.2f} MiB")
    dead = report.tables_with_dead_tuples
    say(f"tables with >= 10% dead tuples: {len(dead)}")
    for t in dead[:10]:
        say(f"  {t['table_name']:<32} {t['dead_tuples']:>10,} dead ({float(t['dead_ratio']):.1%})")
    say(f"queries running longer than {s['long_running_seconds']} s: {s['long_running_queries']}")
    for q in report.queries:
        say(
            f"  pid {q['pid']} {q['user_name']} ({q['application_name'] or '-'}) {q['state']}, "
            f"{float(q['duration_seconds']):,.0f} s: {(q['query'] or '').splitlines()[0][:100] if q['query'] else ''}"
        )
    say(f"snapshot {s['id']} stored (the dashboards' Database page shows the newest)")
    return 0
