"""The audit log as one result: live rows (PostgreSQL) and archived rows (DuckDB over Parquet).

`query_audit_logs(conn, organization_id, …)` serves `prometric audit query` and the dashboards'
audit explorer alike. It is always scoped to one organization, filters by user, entity, entity id,
action and time range, returns the newest rows first, and masks secrets in `oldValue`/`newValue`
(archived values were masked when archived; live ones are masked here the same way).
In a `tenant_session` whose viewer may not see HR data (TenantViewer `self`/`none`), the archived
rows about HR tables or carrying pay are left out as row-level security leaves out the live ones, and
at every level those whose values carry a credential (docs/security.md).

Consistency: the active manifests are read before and after the live rows; if an archive or
restore run committed in between (a month moved from one side to the other), the query starts
over, so a row is never missed or returned twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import duckdb
import pandas as pd
import pyarrow as pa
from sqlalchemy.engine import Connection

from prometric_pipelines.audit.export import JSON_COLUMNS, SCHEMA, mask_json_column
from prometric_pipelines.audit.manifests import duckdb_connection
from prometric_pipelines.audit.storage import Archive
from prometric_pipelines.db.tenancy import HR_AUDIT_ENTITIES, hidden_audit_values
from prometric_pipelines.errors import PrometricError
from prometric_pipelines.sql import load_sql
from prometric_pipelines.storage import StorageError
from prometric_pipelines.validation import InvalidInput, parse_uuid

ATTEMPTS = 3
NO_LIMIT = 2**62


@dataclass(frozen=True)
class AuditFilters:
    """The spec's filters; None means "any". Times are UTC, `start` inclusive, `end` exclusive."""

    user_id: str | None = None
    entity: str | None = None
    entity_id: str | None = None
    action: str | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None

    def validated(self) -> AuditFilters:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise InvalidInput(f"time range is reversed: {self.start} is after {self.end}")
        return AuditFilters(
            user_id=parse_uuid(self.user_id, "user id") if self.user_id is not None else None,
            entity=self.entity,
            entity_id=parse_uuid(self.entity_id, "entity id") if self.entity_id is not None else None,
            action=self.action,
            start=self.start,
            end=self.end,
        )


def query_audit_logs(
    conn: Connection,
    organization_id: str,
    filters: AuditFilters | None = None,
    *,
    archive: Archive | None = None,
    limit: int | None = 1000,
) -> pd.DataFrame:
    """Rows of one organization's audit log, live and archived, newest first (at most `limit`).

    `conn` may be a `tenant_session` of the dashboards' reader (row-level security then also
    narrows both the live rows and the manifests to that organization) or a jobs/owner connection.
    Columns: those of audit_logs, ids as text, JSON values as (masked) JSON text, `createdAt` UTC.
    """
    organization = parse_uuid(organization_id)
    wanted = (filters or AuditFilters()).validated()
    store = archive or Archive.from_url()
    params = {"organization_id": organization, **asdict(wanted), "limit": limit if limit is not None else NO_LIMIT}
    # the Parquet files are outside row-level security: apply the audit_logs policy's HR rule here
    hr_access = conn.execute(load_sql("security", "hr_access")).scalar_one()
    params["hidden_entities"] = list(HR_AUDIT_ENTITIES) if hr_access in ("self", "none") else []
    # and its value rule: credentials hidden from every level, pay and personal identifiers below `all`
    params["hidden_values"] = hidden_audit_values(hr_access)
    for _attempt in range(ATTEMPTS):
        manifests = _active_manifests(conn, params)
        live = conn.execute(load_sql("audit", "live_rows"), params).all()
        if _active_manifests(conn, params) != manifests:
            continue  # an archive or restore run committed meanwhile: read both sides again
        try:
            archived = _archived_rows(store, manifests, params)
        except (duckdb.IOException, StorageError) as error:
            if _active_manifests(conn, params) != manifests:
                continue  # a restore removed a file after we listed it
            raise PrometricError(f"cannot read the audit archive: {str(error).splitlines()[0]}") from None
        combined = pa.concat_tables([_live_table(live), archived])
        combined = combined.sort_by([("createdAt", "descending"), ("id", "descending")]).slice(0, params["limit"])
        for name in JSON_COLUMNS:
            masked, _changed = mask_json_column(combined[name])
            combined = combined.set_column(combined.schema.get_field_index(name), name, masked)
        return combined.to_pandas()
    raise PrometricError("the audit archive kept changing during the query (archive runs?); try again")


def _active_manifests(conn: Connection, params: dict) -> dict[str, str]:
    return {row.id: row.path for row in conn.execute(load_sql("audit", "query_manifests"), params)}


def _live_table(rows: list) -> pa.Table:
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in SCHEMA.names]
    return pa.table([pa.array(list(values), type=f.type) for values, f in zip(columns, SCHEMA, strict=True)], SCHEMA)


def _archived_rows(archive: Archive, manifests: dict[str, str], params: dict) -> pa.Table:
    if not manifests:
        return SCHEMA.empty_table()
    # a local archive is read in place; objects of a bucket are first copied by the storage client into
    # private temporary files (DuckDB's httpfs extension would be a download at run time)
    with archive.store.readable(sorted(manifests.values())) as paths, duckdb_connection() as connection:
        table = connection.sql(
            load_sql("audit", "archived_rows").text, params={**params, "files": [str(path) for path in paths]}
        ).to_arrow_table()
    return table.cast(SCHEMA)
