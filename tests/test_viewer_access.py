"""The dashboards' HR role rules, enforced by row-level security, proven as the real `prometric_reader`.

Hand-made data (organization A; B only to show that another organization's record of the same user
stays out):

* users: owner (creator of A), `worker` (role employee, employee E1 of A and of B), `colleague`
  (employee E2 of A), `investor` (a workspace member of A, no employee record);
* A: attendance E1 ×2, E2 ×3; leaves E1 ×1, E2 ×2; payroll E1 Jan+Feb, E2 Jan; payroll_items
  E1-Jan ×2, E1-Feb ×1, E2-Jan ×3; payroll_skips E1 and E2 for March; audit_logs: `payroll` on
  E1's and E2's payslip, `employee` on E2, `Payroll` (ERP casing) on E2's, `order` ×2;
* B: E1' (worker), one payroll row and one attendance row.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from prometric_pipelines.audit.archive import archive_audit_logs
from prometric_pipelines.audit.query import query_audit_logs
from prometric_pipelines.audit.storage import Archive
from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.db.migrate import downgrade, migrate
from prometric_pipelines.db.roles import READER_ROLE
from prometric_pipelines.db.tenancy import (
    HR_AUDIT_ENTITIES,
    TenantViewer,
    read_tenant_key,
    sign_tenant,
    tenant_session,
)
from prometric_pipelines.validation import InvalidInput
from tests.factories import make, make_tenant
from tests.test_tenant_isolation import tenant_tables_from_catalog

HR_TABLES = ("employees", "attendance", "leaves", "payroll", "payroll_items", "payroll_skips")
# tables whose visible rows follow the HR level although they are not HR tables: users are members
# of the organization partly *through* employees (the users policy's EXISTS runs under the
# employees policy), and notifications follow their user
FOLLOW_EMPLOYEES = ("users", "notifications")

# hand-counted from the module docstring
ALL = {
    "employees": 2, "attendance": 5, "leaves": 3, "payroll": 3, "payroll_items": 6, "payroll_skips": 2,
    "audit_logs": 6,
}  # fmt: skip
SELF = {
    "employees": 1, "attendance": 2, "leaves": 1, "payroll": 2, "payroll_items": 3, "payroll_skips": 1,
    "audit_logs": 2,
}  # fmt: skip
NONE = {table: 0 for table in HR_TABLES} | {"audit_logs": 2}


@pytest.fixture(scope="module")
def data(engine) -> dict[str, Any]:
    with engine.begin() as conn:
        a = make_tenant(conn)
        b = make_tenant(conn)
        org, ws = a["organization"]["id"], a["workspace"]["id"]
        worker = make(conn, "users", role="employee")["id"]
        colleague = make(conn, "users", role="employee")["id"]
        investor = make(conn, "users", role="investor")["id"]
        make(conn, "workspace_users", workspaceId=ws, userId=investor, role="viewer")
        tenant = {"organizationId": org, "workspaceId": ws}
        e1 = make(conn, "employees", userId=worker, salary=500_000, **tenant)["id"]
        e2 = make(conn, "employees", userId=colleague, salary=900_000, **tenant)["id"]
        for employee, days in ((e1, 2), (e2, 3)):
            for day in range(1, days + 1):
                make(conn, "attendance", employeeId=employee, date=f"2026-01-{day:02d}", **tenant)
        for employee, count in ((e1, 1), (e2, 2)):
            for _ in range(count):
                make(conn, "leaves", employeeId=employee, startDate="2026-02-02", endDate="2026-02-03", **tenant)
        payslips = {}
        for employee, month, lines in ((e1, 1, 2), (e1, 2, 1), (e2, 1, 3)):
            payroll = make(
                conn,
                "payroll",
                employeeId=employee,
                year=2026,
                month=month,
                basicSalary=1,
                netSalary=1,
                status="APPROVED",  # `self` never sees a DRAFT (tests/test_hr_visibility.py)
                **tenant,
            )["id"]
            payslips[employee, month] = payroll
            for line in range(lines):
                make(conn, "payroll_items", payrollId=payroll, organizationId=org, code=f"L{line}", kind="earning")
        for employee in (e1, e2):
            make(conn, "payroll_skips", employeeId=employee, year=2026, month=3, organizationId=org, reason="test")
        for entity, entity_id in (
            ("payroll", payslips[e1, 1]),
            ("payroll", payslips[e2, 1]),
            ("employee", e2),
            ("Payroll", payslips[e2, 1]),
            ("order", None),
            ("order", None),
        ):
            make(
                conn,
                "audit_logs",
                organizationId=org,
                action="UPDATE",
                entity=entity,
                entityId=entity_id,
                # HR rows carry pay; the order rows do not (a pay key would hide them below `all`)
                oldValue={"basicSalary": 1} if entity != "order" else {"status": "NEW"},
            )
        make(conn, "orders", **tenant)
        b_tenant = {"organizationId": b["organization"]["id"], "workspaceId": b["workspace"]["id"]}
        e1_in_b = make(conn, "employees", userId=worker, **b_tenant)["id"]
        make(conn, "payroll", employeeId=e1_in_b, year=2026, month=1, basicSalary=1, netSalary=1, **b_tenant)
        make(conn, "attendance", employeeId=e1_in_b, date="2026-01-05", **b_tenant)
    return {
        "organization": str(org),
        "owner": a["owner"]["id"],
        "worker": worker,
        "colleague": colleague,
        "investor": investor,
        "e1": e1,
        "e1_payslips": {payslips[e1, 1], payslips[e1, 2]},
    }


@pytest.fixture(scope="module")
def readable_tables(engine) -> list[str]:
    """Every table the reader may SELECT (from the catalog, as the isolation test finds them)."""
    with engine.connect() as conn:
        found = tenant_tables_from_catalog(conn)
        readable = conn.execute(
            text("""SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace
                    AND relkind = 'r' AND has_table_privilege(:reader, oid, 'SELECT')"""),
            {"reader": READER_ROLE},
        ).scalars()
        return sorted(found & set(readable))


def counts(conn, tables) -> dict[str, int]:
    return {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables}


def viewer(data, who: str, level: str) -> TenantViewer:
    return TenantViewer(str(data[who]), level)


@pytest.mark.parametrize(
    ("who", "level", "expected"),
    [(None, None, ALL), ("owner", "all", ALL), ("worker", "self", SELF), ("investor", "none", NONE)],
    ids=["no-viewer", "all", "self", "none"],
)
def test_each_level_sees_exactly_its_hr_rows(data, reader, key, who, level, expected):
    v = viewer(data, who, level) if who else None
    with tenant_session(reader, data["organization"], viewer=v, key=key) as conn:
        assert counts(conn, expected) == expected


def test_self_sees_its_own_record_and_payslips_not_a_colleagues_nor_another_organizations(data, reader, key):
    with tenant_session(reader, data["organization"], viewer=viewer(data, "worker", "self"), key=key) as conn:
        assert set(conn.execute(text("SELECT id FROM employees")).scalars()) == {data["e1"]}
        assert set(conn.execute(text("SELECT id FROM payroll")).scalars()) == data["e1_payslips"]
        lines = conn.execute(text('SELECT DISTINCT "payrollId" FROM payroll_items')).scalars()
        assert set(lines) == data["e1_payslips"]
        assert set(conn.execute(text('SELECT DISTINCT "employeeId" FROM attendance')).scalars()) == {data["e1"]}
        # no HR audit row, even about the viewer's own payslip: `all` only
        assert conn.execute(text("SELECT array_agg(DISTINCT entity) FROM audit_logs")).scalar_one() == ["order"]


def test_self_without_an_employee_record_sees_no_hr_rows(data, reader, key):
    with tenant_session(reader, data["organization"], viewer=viewer(data, "investor", "self"), key=key) as conn:
        assert counts(conn, NONE) == NONE


def test_the_database_reports_the_signed_viewer(data, reader, key):
    query = text("SELECT prometric_tenant_hr_access(), prometric_tenant_viewer_user()")
    with tenant_session(reader, data["organization"], key=key) as conn:
        assert tuple(conn.execute(query).one()) == ("all", None)
    for who, level in (("owner", "all"), ("worker", "self"), ("investor", "none")):
        with tenant_session(reader, data["organization"], viewer=viewer(data, who, level), key=key) as conn:
            assert tuple(conn.execute(query).one()) == (level, data[who])
    with reader.connect() as conn:  # no tenant session, or a wrong key: nothing
        assert tuple(conn.execute(query).one()) == (None, None)
    with tenant_session(reader, data["organization"], viewer=viewer(data, "owner", "all"), key="nope") as conn:
        assert tuple(conn.execute(query).one()) == (None, None)


@pytest.mark.parametrize(
    ("who", "level"), [("worker", "self"), ("investor", "none"), (None, None)], ids=["self", "none", "no-viewer"]
)
def test_a_forged_viewer_setting_voids_the_proof(data, readable_tables, reader, key, who, level):
    v = viewer(data, who, level) if who else None
    user = data[who] if who else data["worker"]
    own = v.setting if v else ""
    forgeries = [f for f in (f"all:{user}", "", f"self:{user}", f"none:{user}", "all", "self") if f != own]
    for forged in forgeries:
        with tenant_session(reader, data["organization"], viewer=v, key=key) as conn:
            before = counts(conn, readable_tables)
            conn.execute(text("SELECT set_config('app.viewer', :v, true)"), {"v": forged})
            after = counts(conn, readable_tables)
        assert sum(before.values()) > 0
        assert all(after[t] <= before[t] for t in readable_tables), forged
        assert set(after.values()) == {0}, forged  # the proof no longer matches: nothing at all


def test_a_proof_signed_for_one_viewer_does_not_cover_another(data, reader, key):
    """Signing is what makes the level stick: Python signs the viewer; SQL cannot re-sign."""
    worker = TenantViewer(str(data["worker"]), "self")
    with reader.connect() as conn, conn.begin():
        challenge = conn.execute(text("SELECT prometric_tenant_challenge()")).scalar_one()
        proof = sign_tenant(key, data["organization"], "", challenge, worker.setting)
        settings = "SELECT set_config('app.organization_id', :o, true), set_config('app.tenant_proof', :p, true)"
        conn.execute(text(settings), {"o": data["organization"], "p": proof})
        conn.execute(text("SELECT set_config('app.viewer', :v, true)"), {"v": worker.setting})
        assert counts(conn, ["payroll"]) == {"payroll": 2}
        conn.execute(text("SELECT set_config('app.viewer', :v, true)"), {"v": f"all:{data['worker']}"})
        assert counts(conn, ["payroll", "orders"]) == {"payroll": 0, "orders": 0}


def test_non_hr_tables_do_not_depend_on_the_level(data, readable_tables, reader, key):
    other = [t for t in readable_tables if t not in (*HR_TABLES, "audit_logs", *FOLLOW_EMPLOYEES)]
    assert {"orders", "customers", "workspaces", "organizations", "workspace_users", "metrics"} <= set(other)
    seen = {}
    for who, level in ((None, None), ("owner", "all"), ("worker", "self"), ("investor", "none")):
        v = viewer(data, who, level) if who else None
        with tenant_session(reader, data["organization"], viewer=v, key=key) as conn:
            seen[level] = counts(conn, other)
            users = set(conn.execute(text("SELECT id FROM users")).scalars())
        members = {data["owner"], data["investor"]}  # creator and workspace member: always visible
        employed = {"all": {data["worker"], data["colleague"]}, None: {data["worker"], data["colleague"]}}
        employed |= {"self": {data["worker"]}, "none": set()}
        assert users == members | employed[level], level
    assert seen["all"] == seen["self"] == seen["none"] == seen[None]
    assert seen[None]["orders"] == 1 and seen[None]["organizations"] == 1


def test_the_own_employee_check_is_evaluated_once_per_query(data, reader, key):
    with tenant_session(reader, data["organization"], viewer=viewer(data, "worker", "self"), key=key) as conn:
        for table in ("employees", "payroll", "attendance"):
            plan = "\n".join(conn.execute(text(f"EXPLAIN SELECT * FROM {table}")).scalars())
            assert "InitPlan" in plan and "SubPlan" not in plan, plan


@pytest.mark.parametrize(
    ("user_id", "level", "message"),
    [
        ("not-a-uuid", "all", "viewer user id"),
        ("00000000-0000-0000-0000-000000000001", "admin", "HR access must be one of all, self, none"),
    ],
)
def test_tenant_viewer_rejects_bad_values(user_id, level, message):
    with pytest.raises(InvalidInput, match=message):
        TenantViewer(user_id, level)


def test_downgrade_restores_the_previous_policies_and_upgrade_brings_these_back(
    databases, template_database, empty_database_url
):
    """Down to 20261125120400 equals a database migrated only that far; up again equals head."""
    url = databases.create("viewer_roundtrip", template=template_database)
    engine, previous = create_db_engine(url), create_db_engine(empty_database_url)
    policies = text("""SELECT tablename, policyname, cmd, roles::text[], qual, with_check FROM pg_policies
                       WHERE schemaname = current_schema() ORDER BY 1, 2""")
    functions = text("""SELECT proname, prosrc, prosecdef, proconfig, proacl::text[] FROM pg_proc
                        WHERE proname LIKE 'prometric_%' ORDER BY 1""")

    def catalog(e):
        with e.connect() as conn:
            return conn.execute(policies).all(), conn.execute(functions).all()

    try:
        at_head = catalog(engine)
        migrate(previous, "20261125120400")
        downgrade(engine, "20261125120400")
        down = catalog(engine)
        assert down == catalog(previous)
        assert down != at_head
        assert not any("hr_access" in (row.qual or "") for row in down[0])
        migrate(engine)
        assert catalog(engine) == at_head
    finally:
        engine.dispose()
        previous.dispose()
        databases.drop(url)


def test_the_frozen_audit_entity_list_of_the_migration_is_the_python_one():
    path = Path(__file__).parents[1] / "migrations/versions/20261125120500_viewer_hr_access.py"
    spec = importlib.util.spec_from_file_location("viewer_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.HR_AUDIT_ENTITIES == HR_AUDIT_ENTITIES
    assert set(module.HR_TABLES) == set(HR_TABLES)


def test_archived_hr_audit_rows_follow_the_same_rule(databases, template_database, reader, tmp_path):
    """The audit query's Parquet side is outside row-level security: it applies the rule itself."""
    url = databases.create("viewer_archive", template=template_database)
    owner = create_db_engine(url)
    archive = Archive.from_url(str(tmp_path / "archive"))
    try:
        with owner.begin() as conn:
            a = make_tenant(conn)
            org = a["organization"]["id"]
            worker = make(conn, "users", role="employee")["id"]
            make(conn, "employees", userId=worker, organizationId=org, workspaceId=a["workspace"]["id"])
            for day, entity in enumerate(("payroll", "employee", "Payroll", "order", "order", "payroll"), start=1):
                live = day == 6  # the last row stays live, the others are archived
                created = dt.datetime(2026 if live else 2025, 1, day, 12)
                make(conn, "audit_logs", organizationId=org, action="UPDATE", entity=entity, createdAt=created)
        assert archive_audit_logs(owner, archive, before=dt.date(2025, 6, 1)).rows_archived == 5
        with owner.connect() as conn:
            key = read_tenant_key(conn)
            as_owner = query_audit_logs(conn, str(org), archive=archive)
        assert len(as_owner) == 6  # outside a tenant session (owner, jobs): everything
        reader_here = create_db_engine(reader.url.set(database=url.database))
        try:
            expected = {"all": 6, "self": 2, "none": 2, None: 6}
            for level, rows in expected.items():
                v = TenantViewer(str(worker), level) if level else None
                with tenant_session(reader_here, str(org), viewer=v, key=key) as conn:
                    found = query_audit_logs(conn, str(org), archive=archive)
                assert len(found) == rows, level
                if rows == 2:
                    assert set(found["entity"]) == {"order"}
        finally:
            reader_here.dispose()
    finally:
        owner.dispose()
        databases.drop(url)
