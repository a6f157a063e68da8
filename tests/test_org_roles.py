"""Roles per organization: HR level and pages come from the user's role in the organization being viewed,
never from the account-wide `users.role` — signed in and read through the real reader login.

Hand-made: `dual` (users.role 'owner') created organization A and is a plain employee (organizationRole
'employee') of organization B, with an APPROVED and a DRAFT payslip there; B also has a colleague's
payslip. `boss` owns B (its creator), `lead` is B's manager by organizationRole, `ws_manager` a workspace
manager of B without an employee record, `backer` a plain workspace member of B (an investor), and
`promoted` (users.role 'owner') is only an employee of B.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from prometric_pipelines.config import PROJECT_ROOT
from prometric_pipelines.db.tenancy import TENANT_KEY_VARIABLE, read_tenant_key
from prometric_pipelines.maintenance.health import take_snapshot
from prometric_pipelines.security.passwords import hash_password
from tests.factories import make, make_tenant

sys.path.insert(0, str(PROJECT_ROOT / "dashboards"))  # the app's `lib`, as Streamlit imports it
from lib.access import Forbidden, scope_for
from lib.auth import load_viewer, sign_in
from lib.filters import from_query
from lib.queries import reader_session, run_page

TODAY = dt.date(2026, 3, 31)


@pytest.fixture(scope="module")
def world(engine) -> dict[str, Any]:
    with engine.begin() as conn:
        a, b = make_tenant(conn), make_tenant(conn)
        b_org, b_ws = b["organization"]["id"], b["workspace"]["id"]
        in_b = {"organizationId": b_org, "workspaceId": b_ws}
        people = {}
        for name, role in (
            ("dual", "owner"),
            ("lead", "manager"),
            ("colleague", "employee"),
            ("promoted", "owner"),
            ("ws_manager", "employee"),
            ("backer", "investor"),
        ):
            people[name] = make(conn, "users", role=role, password=hash_password("pw", rounds=4))
        conn.execute(
            text('UPDATE organizations SET "createdBy" = :u WHERE id = :o'),
            {"u": people["dual"]["id"], "o": a["organization"]["id"]},
        )
        employees = {
            name: make(conn, "employees", userId=people[name]["id"], organizationRole=role, **in_b)["id"]
            for name, role in (
                ("dual", "employee"),
                ("lead", "manager"),
                ("colleague", "employee"),
                ("promoted", "employee"),
            )
        }
        make(conn, "workspace_users", workspaceId=b_ws, userId=people["ws_manager"]["id"], role="manager")
        make(conn, "workspace_users", workspaceId=b_ws, userId=people["backer"]["id"], role="member")
        payslips = {}
        for name, month, status in (("dual", 1, "APPROVED"), ("dual", 2, "DRAFT"), ("colleague", 1, "APPROVED")):
            payslips[name, month] = make(
                conn,
                "payroll",
                employeeId=employees[name],
                year=2026,
                month=month,
                basicSalary=100,
                netSalary=90,
                status=status,
                **in_b,
            )["payrollNumber"]
        in_a = {"organizationId": a["organization"]["id"], "workspaceId": a["workspace"]["id"]}
        clerk = make(conn, "users")
        clerk_employee = make(conn, "employees", userId=clerk["id"], organizationRole="employee", **in_a)["id"]
        make(
            conn,
            "payroll",
            employeeId=clerk_employee,
            year=2026,
            month=2,
            basicSalary=1,
            netSalary=1,
            status="DRAFT",
            **in_a,
        )
    return {
        "a": str(a["organization"]["id"]),
        "b": str(b_org),
        "boss": str(b["owner"]["id"]),
        "people": {name: str(row["id"]) for name, row in people.items()},
        "emails": {name: row["email"] for name, row in people.items()},
        "payslips": payslips,
    }


@pytest.fixture
def tenant_key(engine, monkeypatch):
    with engine.connect() as conn:
        monkeypatch.setenv(TENANT_KEY_VARIABLE, read_tenant_key(conn))


def role_in(reader, user_id: str, organization_id: str):
    viewer = load_viewer(reader, user_id)
    assert viewer is not None
    organization = viewer.organization(organization_id)
    assert organization is not None
    return viewer, organization


def filters(organization_id: str):
    return from_query({"org": organization_id, "preset": "90d"}, TODAY)


def test_one_person_is_owner_in_one_organization_and_a_plain_employee_in_another(world, reader, tenant_key):
    result, _ = sign_in(reader, world["emails"]["dual"], "pw")  # through the reader login alone
    assert result.ok
    viewer = load_viewer(reader, str(result.user_id))
    a, b = viewer.organization(world["a"]), viewer.organization(world["b"])
    assert (a.role, b.role) == ("owner", "employee")
    scope_a, scope_b = scope_for(viewer, a, None), scope_for(viewer, b, None)
    assert scope_a.hr_access == "all" and "database" in scope_a.pages and "hr" in scope_a.pages
    assert scope_b.hr_access == "self" and scope_b.pages == ("my_tasks", "my_payslips")


@pytest.mark.parametrize(
    ("who", "role", "access", "pages"),
    [
        (
            "boss",
            "owner",
            "all",
            {
                "overview",
                "sales",
                "finance",
                "inventory",
                "hr",
                "operations",
                "audit",
                "data_quality",
                "database",
                "alerts",
            },
        ),
        (
            "lead",
            "manager",
            "all",
            {"overview", "sales", "finance", "inventory", "hr", "operations", "audit", "data_quality", "alerts"},
        ),
        (
            "ws_manager",
            "manager",
            "all",
            {"overview", "sales", "finance", "inventory", "hr", "operations", "audit", "data_quality", "alerts"},
        ),
        ("promoted", "employee", "self", {"my_tasks", "my_payslips"}),  # users.role 'owner' does not count
        ("backer", "investor", "none", {"overview", "finance"}),
    ],
)
def test_each_role_in_the_organization_decides_level_and_pages(world, reader, who, role, access, pages):
    user = world["boss"] if who == "boss" else world["people"][who]
    viewer, organization = role_in(reader, user, world["b"])
    scope = scope_for(viewer, organization, None)
    assert (organization.role, scope.hr_access, set(scope.pages)) == (role, access, pages)


def test_the_employee_gets_neither_company_figures_nor_drafts(world, reader, tenant_key):
    viewer, organization = role_in(reader, world["people"]["dual"], world["b"])
    scope = scope_for(viewer, organization, None)
    for page in ("overview", "finance", "hr", "sales"):
        with pytest.raises(Forbidden):
            run_page(scope, page, filters(world["b"]), reader)
    payslips = run_page(scope, "my_payslips", filters(world["b"]), reader)["payslips"]
    assert payslips["payroll_number"].tolist() == [world["payslips"]["dual", 1]]  # not the DRAFT, not the colleague's
    # the database agrees, whatever a page's SQL asks
    with reader_session(scope, reader) as conn:
        assert conn.execute(text("SELECT count(*) FROM payroll")).scalar_one() == 1


def test_the_same_person_sees_every_payslip_where_they_are_the_owner(world, reader, tenant_key):
    viewer, organization = role_in(reader, world["people"]["dual"], world["a"])
    scope = scope_for(viewer, organization, None)
    with reader_session(scope, reader) as conn:  # A's clerk's DRAFT payslip, which only A's owner may see
        assert conn.execute(text("SELECT count(*) FROM payroll WHERE status = 'DRAFT'")).scalar_one() == 1


def test_the_database_page_reads_through_the_reader_for_the_owner_only(world, reader, engine, tenant_key):
    take_snapshot(engine, run_key="test-org-roles")
    owner_viewer, organization_a = role_in(reader, world["people"]["dual"], world["a"])
    owner_scope = scope_for(owner_viewer, organization_a, None)
    data = run_page(owner_scope, "database", filters(world["a"]), reader)
    assert data["snapshot"] is not None and not data["tables"].empty
    # the same person as B's employee: the page is refused, and raw SQL finds no snapshot at all
    employee_scope = scope_for(owner_viewer, owner_viewer.organization(world["b"]), None)
    with pytest.raises(Forbidden):
        run_page(employee_scope, "database", filters(world["b"]), reader)
    with reader_session(employee_scope, reader) as conn:
        assert conn.execute(text("SELECT count(*) FROM maintenance_health_snapshots")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM maintenance_health_tables")).scalar_one() == 0
    with reader_session(owner_scope, reader) as conn:
        assert conn.execute(text("SELECT count(*) FROM maintenance_health_snapshots")).scalar_one() >= 1
        with pytest.raises(ProgrammingError, match="permission denied"):
            conn.execute(text("SELECT query FROM maintenance_health_queries"))
