"""The Audit page's index reads give exactly what the full scans gave (issue 21).

`sql/dashboards/audit_entities.sql` walks idx_audit_logs_org_entity_created one entity at a time and
`sql/audit/live_rows.sql` stops a backward scan of idx_audit_logs_org_created at its LIMIT, so the
audit_logs policy's credential check runs on a few rows instead of every row of the range. Both are
compared here, at every HR level, with the statements they replaced (a DISTINCT over the range; the
range sorted whole), in the reader's tenant session, on rows that the policy hides for each reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import text

from prometric_pipelines.db.tenancy import TenantViewer, tenant_session
from prometric_pipelines.sql import load_sql
from tests.factories import make, make_tenant

START = dt.datetime(2026, 3, 1)
END = dt.datetime(2026, 4, 1)
# two entities longer than a `name` (63 bytes) that share their first 63 bytes: the key is cut short
LONG = "integration_" + "x" * 60
LONG_A, LONG_B = LONG + "_alpha", LONG + "_beta"

# the statements the index reads replaced, as references
DISTINCT_ENTITIES = """
    SELECT DISTINCT a.entity FROM audit_logs a
    WHERE a."organizationId" = :organization_id
      AND a."createdAt" >= CAST(:start AS timestamp) AND a."createdAt" < CAST(:end AS timestamp)
    ORDER BY a.entity LIMIT 50"""
WHOLE_RANGE = """
    SELECT a.id::text FROM audit_logs a
    WHERE a."organizationId" = CAST(:organization_id AS uuid)
      AND (CAST(:start AS timestamp) IS NULL OR a."createdAt" >= CAST(:start AS timestamp))
      AND (CAST(:end AS timestamp) IS NULL OR a."createdAt" < CAST(:end AS timestamp))
    ORDER BY a."createdAt" DESC NULLS LAST, a.id DESC"""


@pytest.fixture(scope="module")
def audit_tenant(engine) -> dict[str, Any]:
    with engine.begin() as conn:
        tenant, other = make_tenant(conn), make_tenant(conn)
        org = tenant["organization"]["id"]

        def row(entity: str, at: dt.datetime, value: dict | None = None, organization=org) -> None:
            make(conn, "audit_logs", organizationId=organization, entity=entity, action="UPDATE", createdAt=at,
                 oldValue=None, newValue=value if value is not None else {"status": "ok"})  # fmt: skip

        noon = START + dt.timedelta(days=10, hours=12)
        for hour in range(6):  # several rows at one instant: the order falls back to id
            row("order", noon)
            row("invoice", noon - dt.timedelta(hours=hour))
        row("deal", START)  # the first instant of the range
        row("payment", END)  # the first instant after it
        row("customer", START - dt.timedelta(microseconds=1))
        row("employee", noon)  # an HR entity: level `all` only
        row("bonus_plan", noon, {"salary": 900_000})  # personal data: level `all` only
        row("api_client", noon, {"api_key": "k-123"})  # a credential: never
        row("order", noon + dt.timedelta(hours=1), {"password": "hunter2"})  # hidden, its entity seen anyway
        row(LONG_A, noon)
        row(LONG_B, noon, {"token": "t"})  # hidden: of the two long ones only LONG_A shows
        row(LONG_B + "_z", noon)
        row("warehouse_transfer", noon, organization=other["organization"]["id"])  # another tenant's
    return {"organization": str(org), "user": str(tenant["owner"]["id"])}


def _read(reader, key, audit_tenant, level: str, sql, params: dict[str, Any]) -> list:
    viewer = TenantViewer(audit_tenant["user"], level)
    with tenant_session(reader, audit_tenant["organization"], viewer=viewer, key=key) as conn:
        return [r[0] for r in conn.execute(sql if not isinstance(sql, str) else text(sql), params)]


@pytest.mark.parametrize("level", ["all", "self", "none"])
def test_entity_hint_equals_the_distinct_over_the_range(reader, key, audit_tenant, level):
    params = {"organization_id": audit_tenant["organization"], "start": START, "end": END}
    hint = _read(reader, key, audit_tenant, level, load_sql("dashboards", "audit_entities"), params)
    assert hint == _read(reader, key, audit_tenant, level, DISTINCT_ENTITIES, params)
    visible_everywhere = ["deal", "invoice", LONG_A, LONG_B + "_z", "order"]
    hr_only = ["bonus_plan", "employee"] if level == "all" else []
    assert hint == sorted(visible_everywhere + hr_only)  # never api_client, payment, customer, LONG_B


@pytest.mark.parametrize("level", ["all", "none"])
@pytest.mark.parametrize(
    ("start", "end"), [(START, END), (None, END), (START, None), (None, None)], ids=["range", "to", "from", "all"]
)
def test_live_rows_are_the_head_of_the_whole_range_sorted(reader, key, audit_tenant, level, start, end):
    params = {"organization_id": audit_tenant["organization"], "start": start, "end": end, "user_id": None,
              "entity": None, "entity_id": None, "action": None}  # fmt: skip
    whole = _read(reader, key, audit_tenant, level, WHOLE_RANGE, params)
    assert len(whole) >= 15
    for limit in (1, 4, 7, len(whole) + 1):  # cuts inside the run of rows sharing one instant
        head = _read(reader, key, audit_tenant, level, load_sql("audit", "live_rows"), {**params, "limit": limit})
        assert head == whole[:limit]
