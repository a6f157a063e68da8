"""The audit archival asset (monthly partitions), its checks, the restore job and the schedule.

A partition is the month *as of whose end* the archive runs: partition 2026-10 (run by the
schedule on 1 November, 03:00 Asia/Almaty) moves every organization's rows older than its
retention counted from 1 November to Parquet. Re-running or backfilling a partition is idempotent
(what is archived has left the table). See docs/audit.md.
"""

import datetime as dt
from collections.abc import Iterator

import dagster as dg

from prometric_pipelines.audit.archive import ArchiveResult, archive_audit_logs, restore_month
from prometric_pipelines.audit.storage import Archive, organization_label
from prometric_pipelines.business_calendar import add_months
from prometric_pipelines.config import partitions_start
from prometric_pipelines.defs.automation import default_schedule_status
from prometric_pipelines.defs.operations.isolation import report_failures
from prometric_pipelines.defs.resources import PostgresResource
from prometric_pipelines.defs.schema.assets import erp_table_key
from prometric_pipelines.operations.isolation import completed_check_result, completed_check_spec, failure_metadata
from prometric_pipelines.sql import load_sql
from prometric_pipelines.validation import (
    check_run_config,
    parse_date,
    parse_month,
    parse_organization_ids,
    require_organizations,
)

TIMEZONE = "Asia/Almaty"
# From the month of PROMETRIC_PARTITIONS_START (config.py), the data's first month.
audit_archive_partitions = dg.MonthlyPartitionsDefinition(
    start_date=partitions_start().replace(day=1).isoformat(), timezone=TIMEZONE
)

FILES_CHECK = "manifests_match_files_and_deletions"
RETENTION_CHECK = "no_live_rows_older_than_retention"


class AuditArchiveConfig(dg.Config):
    organization_ids: list[str] | None = None
    before: str | None = None  # YYYY-MM-DD: archive rows created before this day instead of by retention


class AuditRestoreConfig(dg.Config):
    month: str  # YYYY-MM
    organization_ids: list[str] | None = None


def partition_month(partition_key: str) -> dt.date:
    return dt.date.fromisoformat(partition_key).replace(day=1)


@dg.asset(
    partitions_def=audit_archive_partitions,
    deps=[erp_table_key("audit_logs")],
    group_name="audit",
    kinds={"postgres", "parquet", "duckdb"},
    pool="postgres",
    check_specs=[
        dg.AssetCheckSpec(FILES_CHECK, asset="audit_archive", description="manifest count = file count = rows deleted"),
        dg.AssetCheckSpec(
            RETENTION_CHECK, asset="audit_archive", description="no live audit row older than the cutoff is left"
        ),
        completed_check_spec("audit_archive"),
    ],
    description="Moves audit logs older than the retention into verified, hash-chained Parquet files.",
)
def audit_archive(
    context: dg.AssetExecutionContext, config: AuditArchiveConfig, postgres: PostgresResource
) -> Iterator[dg.MaterializeResult]:
    ids = check_run_config(parse_organization_ids, config.organization_ids)
    before = check_run_config(parse_date, config.before, "before") if config.before is not None else None
    engine = postgres.get_engine()
    if ids is not None:
        with engine.connect() as conn:
            check_run_config(require_organizations, conn, ids)
    archive = Archive.from_url()
    result = archive_audit_logs(
        engine,
        archive,
        organization_ids=ids,
        before=before,
        as_of_month=partition_month(context.partition_key),
        run_key=context.run.run_id,
        progress=context.log.info,
    )
    total = len(result.scopes)
    yield dg.MaterializeResult(
        metadata={
            **failure_metadata(result.failures, total),
            "rows_archived": result.rows_archived,
            "files_written": result.files_written,
            "organizations": len(result.scopes),
            "skipped_organizations": dg.MetadataValue.json(
                {organization_label(s.organization_id): s.skip_reason for s in result.scopes if s.skip_reason}
            ),
            "cutoffs": dg.MetadataValue.json(
                {organization_label(s.organization_id): str(s.cutoff) for s in result.scopes if s.cutoff}
            ),
            "pieces": dg.MetadataValue.json(
                [
                    {
                        "organization": organization_label(p.organization_id),
                        "month": f"{p.year:04d}-{p.month:02d}",
                        "rows": p.rows,
                        "path": p.path,
                        "url": p.url,
                        "size_bytes": p.size_bytes,
                        "sha256": p.sha256,
                        "masked_values": p.masked_values,
                    }
                    for p in result.pieces
                ]
            ),
            "leftover_files_removed": result.swept_files,
            "files_kept_rows_not_live": dg.MetadataValue.json(result.kept_files),
            # the chains' newest links, recorded outside the database (also in the archive's head files):
            # `prometric audit verify` reports a chain that no longer reaches its head
            "chain_heads": dg.MetadataValue.json(_heads(result.heads)),
            "archive": archive.url,
            "bytes_written": sum(p.size_bytes for p in result.pieces),
            "export_s": round(result.export_seconds, 3),
            "verify_s": round(result.verify_seconds, 3),
            "delete_s": round(result.delete_seconds, 3),
            "duration_s": round(result.seconds, 3),
            "rows_per_s": round(result.rows_archived / result.seconds) if result.seconds else 0,
        },
        check_results=[
            _files_check(engine, archive, result, ids),
            _retention_check(engine, result),
            completed_check_result("audit_archive", result.failures, total),
        ],
    )
    report_failures(context, engine, result.failures, total)


def _heads(heads: dict) -> dict[str, dict]:
    return {label: {"chain_position": head.chain_position, "hash": head.hash} for label, head in heads.items()}


def _files_check(engine, archive: Archive, result: ArchiveResult, ids: list[str] | None) -> dg.AssetCheckResult:
    """The run's manifests, the archived objects that match them, and the rows the run deleted agree."""
    with engine.connect() as conn:
        manifests = conn.execute(
            load_sql("audit", "run_manifests"), {"run_key": result.run_key, "organization_ids": ids}
        ).all()
    files = sum(1 for m in manifests if archive.store.exists(m.path))
    manifest_rows = sum(m.row_count for m in manifests)
    passed = len(manifests) == files == result.files_written and manifest_rows == result.rows_archived
    return dg.AssetCheckResult(
        check_name=FILES_CHECK,
        passed=passed,
        metadata={
            "manifests": len(manifests),
            "files": files,
            "files_written": result.files_written,
            "manifest_rows": manifest_rows,
            "rows_deleted": result.rows_archived,
        },
    )


def _retention_check(engine, result: ArchiveResult) -> dg.AssetCheckResult:
    left: dict[str, int] = {}
    with engine.connect() as conn:
        for scope in result.scopes:
            if scope.cutoff is None:
                continue
            count = conn.execute(
                load_sql("audit", "live_rows_before"),
                {"organization_id": scope.organization_id, "cutoff": scope.cutoff},
            ).scalar_one()
            if count:
                left[organization_label(scope.organization_id)] = count
    return dg.AssetCheckResult(
        check_name=RETENTION_CHECK,
        passed=not left,
        metadata={"organizations_checked": len(result.scopes), "rows_left": dg.MetadataValue.json(left)},
    )


@dg.op(description="Puts one archived month of audit logs back into PostgreSQL (no duplicates).", pool="postgres")
def restore_audit_month(context: dg.OpExecutionContext, config: AuditRestoreConfig, postgres: PostgresResource) -> dict:
    month = check_run_config(parse_month, config.month, "month")
    ids = check_run_config(parse_organization_ids, config.organization_ids)
    engine = postgres.get_engine()
    if ids is not None:
        with engine.connect() as conn:
            check_run_config(require_organizations, conn, ids)
    archive = Archive.from_url()
    result = restore_month(
        engine, archive, month, organization_ids=ids, run_key=context.run.run_id, progress=context.log.info
    )
    summary = {
        "month": f"{month:%Y-%m}",
        "rows_restored": result.rows_restored,
        "files": [
            {
                "organization": organization_label(f.organization_id),
                "path": f.path,
                "url": archive.store.object_url(f.path),  # removed after the restore committed
                "rows_in_file": f.rows_in_file,
                "rows_inserted": f.rows_inserted,
            }
            for f in result.files
        ],
    }
    context.add_output_metadata(
        {
            "rows_restored": result.rows_restored,
            "files": dg.MetadataValue.json(summary),
            "chain_heads": dg.MetadataValue.json(_heads(result.heads)),
        }
    )
    return summary


@dg.job(description="Restores one archived month of audit logs (config: month, organization_ids).")
def audit_restore_job():
    restore_audit_month()


audit_archive_job = dg.define_asset_job(
    "audit_archive_job",
    selection=[audit_archive],
    description="Archives audit logs older than the retention (one partition = the month the run closes).",
)


@dg.schedule(
    job=audit_archive_job,
    cron_schedule="0 3 1 * *",
    execution_timezone=TIMEZONE,
    default_status=default_schedule_status(),
    description="On the 1st at 03:00 Asia/Almaty: archive as of the month that just ended.",
)
def audit_archive_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    ended = add_months(context.scheduled_execution_time.date(), -1)
    key = ended.isoformat()
    return dg.RunRequest(run_key=f"audit_archive_{key}", partition_key=key)
