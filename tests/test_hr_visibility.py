"""No salary, net pay, IIN, password or token hash of another person reaches the reader, per HR level.

The columns checked are not a hand list: every column of every table the `prometric_reader` login may
SELECT is taken from the catalog (`has_column_privilege`) and read whole, as the real reader, inside a
tenant session signed for a viewer of each HR level. The text of every value is searched for the
other person's sentinels (hand-picked numbers and strings that appear nowhere else).

Hand-made data in organization A: `worker` (employee E1, salary 5 123 457), `colleague` (employee E2,
salary 7 391 824, IIN 880214300157 in personalInfo, a refresh token and an e-mail verification), an
`investor` (workspace member, no employee record). Payroll for both, approved by the payroll job's own
SQL (sql/payroll/approve.sql, which writes the "net pay" notifications); audit rows that carry a
colleague's password hash (entity `user`), salary (entity `document`: not an HR entity) and IIN.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
from typing import Any

import pytest
from sqlalchemy import text

from prometric_pipelines.audit.archive import archive_audit_logs
from prometric_pipelines.audit.query import query_audit_logs
from prometric_pipelines.audit.storage import Archive
from prometric_pipelines.config import PROJECT_ROOT
from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.db.roles import READER_ROLE
from prometric_pipelines.db.tenancy import (
    AUDIT_CREDENTIAL_PATTERN,
    AUDIT_PERSONAL_PATTERN,
    HR_AUDIT_ENTITIES,
    TenantViewer,
    read_tenant_key,
    tenant_session,
)
from prometric_pipelines.security.passwords import hash_password, hash_token
from prometric_pipelines.sql import load_sql
from tests.factories import make, make_tenant

NOW = dt.datetime(2026, 2, 3, 10, 0)
WORKER = {"salary": "5123457", "net": "4310977", "iin": "900101400123"}
COLLEAGUE = {"salary": "7391824", "net": "6284913", "iin": "880214300157"}


@pytest.fixture(scope="module")
def data(engine) -> dict[str, Any]:
    with engine.begin() as conn:
        a = make_tenant(conn)
        org, ws = a["organization"]["id"], a["workspace"]["id"]
        tenant = {"organizationId": org, "workspaceId": ws}
        people: dict[str, Any] = {}
        for who, figures in (("worker", WORKER), ("colleague", COLLEAGUE)):
            user = make(conn, "users", role="employee", password=hash_password(f"{who}-pw", rounds=4))
            employee = make(
                conn,
                "employees",
                userId=user["id"],
                salary=int(figures["salary"]),
                personalInfo={"iin": figures["iin"]},
                organizationRole="employee",
                **tenant,
            )
            make(
                conn,
                "payroll",
                employeeId=employee["id"],
                year=2026,
                month=1,
                basicSalary=int(figures["salary"]),
                netSalary=f"{figures['net']}.57",
                bankAccount=f"KZ{figures['iin']}",
                **tenant,
            )
            people[who] = {"user": user, "employee": employee}
        colleague = people["colleague"]["user"]
        tokens = {
            "refresh": hash_token("colleague refresh token"),
            "verification": hash_token("colleague verification token"),
        }
        make(conn, "refresh_tokens", userId=colleague["id"], token=tokens["refresh"], expiresAt=NOW)
        make(conn, "email_verifications", userId=colleague["id"], token=tokens["verification"], expiresAt=NOW)
        investor = make(conn, "users", role="investor")
        make(conn, "workspace_users", workspaceId=ws, userId=investor["id"], role="member")
        # the payroll job's own approval: writes "net pay N KZT" notifications to both employees
        approved = conn.execute(
            load_sql("payroll", "approve"),
            {"organization_id": org, "year": 2026, "month": 1, "now": NOW, "user_agent": "test", "period": "2026-01"},
        ).one()
        assert approved.notified == 2
        make(conn, "notifications", userId=colleague["id"], type="info", category="stock", title="Low stock")
        for entity, old, new in (
            ("user", {"password": colleague["password"]}, {"password": "changed"}),
            ("document", None, {"title": "contract", "salary": int(COLLEAGUE["salary"])}),
            ("customer", None, {"note": f"personal info {COLLEAGUE['iin']}", "personalInfo": {"x": 1}}),
            ("order", None, {"status": "NEW"}),
        ):
            make(conn, "audit_logs", organizationId=org, action="UPDATE", entity=entity, oldValue=old, newValue=new)
    return {
        "organization": str(org),
        "owner": str(a["owner"]["id"]),
        "worker": str(people["worker"]["user"]["id"]),
        "colleague": str(colleague["id"]),
        "investor": str(investor["id"]),
        "colleague_hash": colleague["password"],
        "worker_hash": people["worker"]["user"]["password"],
        "tokens": tokens,
    }


@pytest.fixture(scope="module")
def readable_columns(engine) -> dict[str, list[str]]:
    """Every column of every table or view the reader may SELECT, from the catalog."""
    with engine.connect() as conn:
        rows = conn.execute(
            text("""
                SELECT c.relname, a.attname
                FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'v', 'm', 'p')
                  AND has_column_privilege(:reader, c.oid, a.attnum, 'SELECT')
                ORDER BY c.relname, a.attnum"""),
            {"reader": READER_ROLE},
        ).all()
    columns: dict[str, list[str]] = {}
    for table, column in rows:
        columns.setdefault(table, []).append(column)
    return columns


def everything_visible(conn, readable_columns: dict[str, list[str]]) -> str:
    """The text of every readable value, separators (spaces, commas, points, apostrophes) removed so that
    formatted amounts ("7 391 824,00") match their digits."""
    parts = []
    for table, columns in readable_columns.items():
        selected = ", ".join(f'"{c}"::text' for c in columns)
        for row in conn.execute(text(f'SELECT {selected} FROM "{table}"')):
            parts.extend(v for v in row if v is not None)
    return re.sub(r"[\s,.'\u00a0\u202f]", "", "\n".join(parts))


def secrets_of(data: dict[str, Any], who: str) -> dict[str, str]:
    figures = COLLEAGUE if who == "colleague" else WORKER
    return {
        **{f"{who} {name}": value for name, value in figures.items()},
        f"{who} password hash": data[f"{who}_hash"][7:].replace(".", ""),
    }


LEVELS = [
    # (viewer, level, whose HR figures must stay out of sight)
    ("owner", "all", ()),
    ("worker", "self", ("colleague",)),
    ("investor", "none", ("colleague", "worker")),
]


def test_the_catalog_lists_the_columns_that_carry_hr_data(readable_columns):
    # the enumeration is not empty by accident: the tables carrying HR data are among the readable ones
    assert {"salary", "personalInfo"} <= set(readable_columns["employees"])
    assert "netSalary" in readable_columns["payroll"] and "message" in readable_columns["notifications"]
    assert {"oldValue", "newValue"} <= set(readable_columns["audit_logs"])
    assert "password" not in readable_columns["users"]
    assert "refresh_tokens" not in readable_columns and "email_verifications" not in readable_columns


@pytest.mark.parametrize(("who", "level", "hidden"), LEVELS, ids=[level for _, level, _ in LEVELS])
def test_no_hr_figure_or_credential_of_another_person_is_visible(data, reader, key, readable_columns, who, level,
                                                                  hidden):  # fmt: skip
    viewer = TenantViewer(data[who], level)
    with tenant_session(reader, data["organization"], viewer=viewer, key=key) as conn:
        visible = everything_visible(conn, readable_columns)
    forbidden = {name: value for person in hidden for name, value in secrets_of(data, person).items()}
    # credentials of anyone, whatever the level
    for person in ("worker", "colleague"):
        forbidden[f"{person} password hash"] = secrets_of(data, person)[f"{person} password hash"]
    forbidden |= {f"{name} token hash": value for name, value in data["tokens"].items()}
    leaked = sorted(name for name, value in forbidden.items() if value in visible)
    assert leaked == []


@pytest.mark.parametrize(("who", "level", "shown"), [("owner", "all", ("colleague", "worker")),
                                                      ("worker", "self", ("worker",))])  # fmt: skip
def test_what_a_level_may_see_is_still_there(data, reader, key, readable_columns, who, level, shown):
    # the other side of the test above: the same search finds the figures the level is entitled to
    viewer = TenantViewer(data[who], level)
    with tenant_session(reader, data["organization"], viewer=viewer, key=key) as conn:
        visible = everything_visible(conn, readable_columns)
    for person in shown:
        figures = COLLEAGUE if person == "colleague" else WORKER
        assert figures["salary"] in visible and figures["iin"] in visible and figures["net"] in visible, person


def test_notifications_are_ones_own_and_others_payroll_notices_are_never_shown(data, reader, key):
    query = text('SELECT n."userId"::text, n.category FROM notifications n ORDER BY 1, 2')
    seen = {}
    for who, level in (("owner", "all"), ("worker", "self"), ("colleague", "self"), ("investor", "none")):
        with tenant_session(reader, data["organization"], viewer=TenantViewer(data[who], level), key=key) as conn:
            seen[who] = conn.execute(query).all()
    assert seen["owner"] == [(data["colleague"], "stock")]  # others' notices, but not their payslip's
    assert seen["worker"] == [(data["worker"], "payroll")]  # their own payslip notice
    assert sorted(seen["colleague"]) == sorted([(data["colleague"], "payroll"), (data["colleague"], "stock")])
    assert seen["investor"] == []


def test_the_recipient_reads_their_own_net_pay_in_the_notification(data, reader, key):
    with tenant_session(reader, data["organization"], viewer=TenantViewer(data["worker"], "self"), key=key) as conn:
        message = conn.execute(text("SELECT message FROM notifications")).scalar_one()
    assert re.sub(r"[\s,.\u00a0]", "", message).count(WORKER["net"]) == 1


def test_audit_rows_with_credentials_are_hidden_from_every_level_and_pay_rows_below_all(data, reader, key):
    query = text("SELECT entity FROM audit_logs ORDER BY entity")
    seen = {}
    for who, level in (("owner", "all"), ("worker", "self"), ("investor", "none")):
        with tenant_session(reader, data["organization"], viewer=TenantViewer(data[who], level), key=key) as conn:
            seen[level] = conn.execute(query).scalars().all()
    # 'payroll' ×2 are the approval's own audit rows (HR entity: `all` only); 'user' carries a password hash
    assert seen["all"] == ["customer", "document", "order", "payroll", "payroll"]
    assert seen["self"] == seen["none"] == ["order"]


def test_the_frozen_value_patterns_of_the_migration_are_the_python_ones():
    path = next((PROJECT_ROOT / "migrations" / "versions").glob("20261206200800_*.py"))
    spec = importlib.util.spec_from_file_location("least_privilege_logins", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.CREDENTIAL_PATTERN == AUDIT_CREDENTIAL_PATTERN
    assert module.PERSONAL_PATTERN == AUDIT_PERSONAL_PATTERN
    assert module.HR_AUDIT_ENTITIES == HR_AUDIT_ENTITIES


def test_archived_audit_rows_follow_the_same_value_rule(databases, template_database, reader, tmp_path):
    """The audit query's Parquet side is outside row-level security: it applies the value rule itself."""
    url = databases.create("hr_visibility_archive", template=template_database)
    owner = create_db_engine(url)
    archive = Archive.from_url(str(tmp_path / "archive"))
    try:
        with owner.begin() as conn:
            a = make_tenant(conn)
            org = a["organization"]["id"]
            worker = make(conn, "users", role="employee")["id"]
            make(conn, "employees", userId=worker, organizationId=org, workspaceId=a["workspace"]["id"])
            for day, (entity, value) in enumerate(
                (
                    ("user", {"password": hash_password("x", rounds=4)}),
                    ("document", {"salary": 7391824}),
                    ("order", {"status": "NEW"}),
                ),
                start=1,
            ):
                make(conn, "audit_logs", organizationId=org, action="UPDATE", entity=entity, newValue=value,
                     createdAt=dt.datetime(2025, 1, day, 12))  # fmt: skip
        assert archive_audit_logs(owner, archive, before=dt.date(2025, 6, 1)).rows_archived == 3
        with owner.connect() as conn:
            key = read_tenant_key(conn)
            assert len(query_audit_logs(conn, str(org), archive=archive)) == 3  # the owner: all, masked
        reader_here = create_db_engine(reader.url.set(database=url.database))
        try:
            expected = {"all": ["document", "order"], "self": ["order"], "none": ["order"]}
            for level, entities in expected.items():
                with tenant_session(reader_here, str(org), viewer=TenantViewer(str(worker), level), key=key) as conn:
                    found = query_audit_logs(conn, str(org), archive=archive)
                assert sorted(found["entity"]) == entities, level
        finally:
            reader_here.dispose()
    finally:
        owner.dispose()
        databases.drop(url)
