"""A hand-made audit history for the archival tests, and what archive ∪ live must hold afterwards.

Two organizations and the global rows, rows spaced by days so that the counts per month and
before a cutoff are easy to compute by hand (see `EXPECTED_PIECES`). Every 7th row (i % 7 = 3)
logs a password one level down (the database masks top-level secret keys itself; the archive masks
this one); user agents hold commas, quotes, newlines and empty strings (CSV edge cases).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from sqlalchemy import text
from sqlalchemy.engine import Connection

from prometric_pipelines.audit.storage import Archive
from prometric_pipelines.security.masking import mask_secrets
from tests.factories import make_tenant

_ADD_ROWS = text("""
    INSERT INTO audit_logs ("organizationId", "userId", action, entity, "entityId", "oldValue", "newValue",
                            "ipAddress", "userAgent", "createdAt")
    SELECT CAST(:org AS uuid), CAST(:user AS uuid),
           (ARRAY['CREATE', 'UPDATE', 'DELETE'])[1 + i % 3], (ARRAY['orders', 'invoices', 'users'])[1 + i % 3],
           gen_random_uuid(),
           CASE WHEN i % 2 = 0 THEN NULL ELSE jsonb_build_object('status', 'OLD' || i) END,
           CASE WHEN i % 7 = 3 THEN jsonb_build_object('change', jsonb_build_object('password', 'hunter' || i),
                                                       'note', 'n' || i)
                ELSE jsonb_build_object('status', 'S' || i, 'amount', i * 1.5, 'name', 'Сауле ' || i) END,
           '10.0.0.' || i,
           CASE WHEN i % 5 = 0 THEN '' WHEN i % 5 = 1 THEN NULL
                ELSE 'Mozilla/5.0, "q"' || chr(10) || 'line ' || i END,
           CAST(:month AS timestamp) + make_interval(days => i * :step, mins => i)
    FROM generate_series(0, :count - 1) AS i
""")

BEFORE = dt.date(2025, 3, 15)
# (organization key, year, month) -> rows archived with --before 2025-03-15
EXPECTED_PIECES = {
    ("global", 2025, 1): 4,
    ("a", 2025, 1): 30,
    ("a", 2025, 2): 25,
    ("a", 2025, 3): 5,  # days 1, 4, 7, 10, 13 of 10 rows every 3 days
    ("b", 2025, 1): 20,
    ("b", 2025, 3): 5,  # all 5 (days 1-13)
}
LIVE_AFTER = {"a": 5 + 8 + 1, "b": 0, "global": 0}  # a: March 16-28, April, the row written now


def seed_history(conn: Connection) -> dict[str, Any]:
    a, b = make_tenant(conn), make_tenant(conn)
    orgs = {"a": str(a["organization"]["id"]), "b": str(b["organization"]["id"])}
    users = {"a": str(a["owner"]["id"]), "b": str(b["owner"]["id"])}

    def add(key: str | None, month: dt.date, count: int, step: int = 1) -> None:
        params = {"org": orgs.get(key), "user": users.get(key, users["a"]), "month": month, "count": count}
        conn.execute(_ADD_ROWS, {**params, "step": step})

    add("a", dt.date(2025, 1, 1), 30)
    add("a", dt.date(2025, 2, 1), 25)
    add("a", dt.date(2025, 3, 1), 10, step=3)
    add("a", dt.date(2025, 4, 1), 8)
    add("b", dt.date(2025, 1, 1), 20)
    add("b", dt.date(2025, 3, 1), 5, step=3)
    add(None, dt.date(2025, 1, 1), 4)
    # a row the ERP writes now ("createdAt" by its default; it may not be NULL: the table is partitioned by it)
    conn.execute(
        text("""INSERT INTO audit_logs ("organizationId", action, entity)
                VALUES (CAST(:org AS uuid), 'CREATE', 'orders')"""),
        {"org": orgs["a"]},
    )
    return {"orgs": orgs, "users": users}


def org_key(organizations: dict[str, str], organization_id: str | None) -> str:
    return next((key for key, value in organizations.items() if value == organization_id), "global")


_LIVE = text("""
    SELECT id::text, "organizationId"::text, "userId"::text, action, entity, "entityId"::text,
           "oldValue"::text, "newValue"::text, "ipAddress", "userAgent", "createdAt"
    FROM audit_logs
""")
FIELDS = (
    "id", "organizationId", "userId", "action", "entity", "entityId", "oldValue", "newValue", "ipAddress",
    "userAgent", "createdAt",
)  # fmt: skip


def _normalise(row: dict[str, Any], masked: bool) -> dict[str, Any]:
    row = dict(row)
    for name in ("oldValue", "newValue"):
        if row[name] is not None:
            value = json.loads(row[name])
            row[name] = mask_secrets(value) if masked else value
    return row


def live_rows(conn: Connection, *, masked: bool = True) -> dict[str, dict[str, Any]]:
    return {row["id"]: _normalise(row, masked) for row in conn.execute(_LIVE).mappings()}


def archived_rows(root: Path | Archive, paths: list[str]) -> list[dict[str, Any]]:
    """The rows of archived files (keys under a local folder, or objects of an archive's store)."""
    archive = root if isinstance(root, Archive) else Archive.from_url(str(root))
    rows = []
    with archive.store.readable(paths) as files:
        for file in files:
            rows += [_normalise(row, masked=False) for row in pq.read_table(file).to_pylist()]
    return rows


ACTIVE_PATHS = text("""
    SELECT m.path FROM audit_log_archives m
    WHERE m.action = 'archive' AND m."restoredAt" IS NULL
      AND NOT EXISTS (SELECT 1 FROM audit_log_archives r WHERE r."restoresId" = m.id)
""")


def assert_exactly_once(conn: Connection, root: Path | Archive, originals: dict[str, dict[str, Any]]) -> None:
    """Every original row is in archive ∪ live exactly once, with the same contents (secrets masked)."""
    paths = list(conn.execute(ACTIVE_PATHS).scalars())
    archived = archived_rows(root, paths)
    live = live_rows(conn)
    ids = [row["id"] for row in archived] + list(live)
    assert len(ids) == len(set(ids)), "a row is both archived and live, or archived twice"
    assert sorted(ids) == sorted(originals)
    for row in archived:
        assert row == originals[row["id"]], row["id"]
    for row_id, row in live.items():
        assert row == originals[row_id]
