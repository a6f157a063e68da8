"""Who may see what: the viewer, their memberships, role → pages, and the permission checks.

Plain Python (no Streamlit): the app, the query layer and the tests share these rules.

Every rule follows the user's role IN THE ORGANIZATION being viewed (`organization_role`), never the
account-wide `users.role`: one person can own one organization and be a plain employee of another.

* `owner`: the organization's creator, or an employee whose `organizationRole` is owner;
* `manager`: `organizationRole` manager, or workspace `admin`/`manager` in it;
* `employee`: any other employee record in it;
* `investor`: `organizationRole` investor, or a workspace member with no employee record.

Pages: owner and manager see every analyst page, HR & Payroll, Operations and Audit (HR level
`all`) and Alerts (the people alerts are delivered to; the database shows alerts to HR level `all`
only); only the owner also the Database page; an investor sees Overview and Finance (HR `none`); an
employee My tasks and My payslips only (HR `self`: no revenue, profit or cash flow of the company).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from prometric_pipelines.db.tenancy import HrAccess

# page key → title, in navigation order
PAGES: dict[str, str] = {
    "overview": "Overview",
    "alerts": "Alerts",
    "sales": "Sales & CRM",
    "finance": "Finance",
    "inventory": "Inventory",
    "hr": "HR & Payroll",
    "operations": "Operations",
    "audit": "Audit",
    "data_quality": "Data quality",
    "database": "Database",
    "my_tasks": "My tasks",
    "my_payslips": "My payslips",
}
ANALYST_PAGES = ("overview", "sales", "finance", "inventory", "operations")
WORKSPACE_MANAGER_ROLES = frozenset({"admin", "manager"})
OrganizationRole = Literal["owner", "manager", "employee", "investor"]
ROLE_PAGES: dict[str, tuple[str, ...]] = {
    "owner": (*ANALYST_PAGES[:4], "hr", "operations", "audit", "data_quality", "database", "alerts"),
    "manager": (*ANALYST_PAGES[:4], "hr", "operations", "audit", "data_quality", "alerts"),
    "investor": ("overview", "finance"),
    "employee": ("my_tasks", "my_payslips"),
}
ROLE_HR_ACCESS: dict[str, HrAccess] = {"owner": "all", "manager": "all", "investor": "none", "employee": "self"}


class Forbidden(Exception):
    """A read the viewer's role does not allow: raised before any SQL runs."""


@dataclass(frozen=True)
class Workspace:
    id: str
    name: str
    membership: str  # workspace role, 'employee' or 'creator'


@dataclass(frozen=True)
class Organization:
    id: str
    name: str
    workspaces: tuple[Workspace, ...]
    employee_id: str | None = None
    employee_role: str | None = None  # employees."organizationRole", lower-cased

    @property
    def memberships(self) -> frozenset[str]:
        return frozenset(w.membership for w in self.workspaces)

    @property
    def role(self) -> OrganizationRole:
        """The viewer's role in this organization (module docstring)."""
        if "creator" in self.memberships or self.employee_role == "owner":
            return "owner"
        if self.employee_role == "manager" or self.memberships & WORKSPACE_MANAGER_ROLES:
            return "manager"
        if self.employee_id is not None and self.employee_role != "investor":
            return "employee"
        return "investor"


@dataclass(frozen=True)
class Viewer:
    user_id: str
    email: str
    name: str
    organizations: tuple[Organization, ...] = field(default_factory=tuple)

    def organization(self, organization_id: str | None) -> Organization | None:
        """The organization if the viewer belongs to it, else None (a tampered id finds nothing)."""
        return next((o for o in self.organizations if o.id == organization_id), None)


def hr_access(organization: Organization) -> HrAccess:
    """'all' (every employee's HR data), 'self' (their own payslips and tasks) or 'none', from the
    viewer's role in this organization."""
    return ROLE_HR_ACCESS[organization.role]


def allowed_pages(organization: Organization) -> tuple[str, ...]:
    """The pages the viewer may open in this organization, in navigation order (the first is the landing page)."""
    return ROLE_PAGES[organization.role]


@dataclass(frozen=True)
class Scope:
    """What one read may see: the tenant, the workspaces (None = all of the organization's), and the
    viewer's access. Tenant, workspaces and HR access are part of every cache key, the user too where the
    rows depend on who looks (queries.page_key), so a cached result never serves anyone who may not see it."""

    organization_id: str
    workspace_ids: tuple[str, ...] | None
    user_id: str
    pages: tuple[str, ...]
    hr_access: HrAccess
    employee_id: str | None = None


def scope_for(viewer: Viewer, organization: Organization, workspace_id: str | None) -> Scope:
    """The scope of a page view; `workspace_id` None means every workspace the viewer may see.

    The organization's creator reads it unnarrowed (every workspace, and rows of no workspace); everyone
    else only the workspaces they belong to (`workspace_users`, `employees`).
    """
    member_of = tuple(sorted({w.id for w in organization.workspaces}))
    if workspace_id is not None:
        if workspace_id not in member_of:
            raise Forbidden("that workspace is not one of yours")
        workspaces: tuple[str, ...] | None = (workspace_id,)
    elif "creator" in organization.memberships:
        workspaces = None
    else:
        workspaces = member_of
    return Scope(
        organization_id=organization.id,
        workspace_ids=workspaces,
        user_id=viewer.user_id,
        pages=allowed_pages(organization),
        hr_access=hr_access(organization),
        employee_id=organization.employee_id,
    )


def require_page(scope: Scope, page: str) -> None:
    if page not in scope.pages:
        raise Forbidden(f"{PAGES.get(page, page)} is not available for your role")


def require_hr(scope: Scope, employee_id: str | None = None) -> None:
    """Employee-level HR reads: 'all' may read anyone; 'self' only their own employee record."""
    if scope.hr_access == "all":
        return
    if scope.hr_access == "self" and employee_id is not None and employee_id == scope.employee_id:
        return
    raise Forbidden("employee and payroll data are not available for your role")


def organizations_from_rows(
    rows: Iterable[dict], employments: dict[str, tuple[str, str | None]]
) -> tuple[Organization, ...]:
    """Groups membership rows (memberships.sql) by organization; `employments`: organization id →
    (employee id, organizationRole) from employee_records.sql."""
    grouped: dict[str, tuple[str, dict[str, Workspace]]] = {}
    for row in rows:
        org_id, ws_id = str(row["organization_id"]), str(row["workspace_id"])
        _name, workspaces = grouped.setdefault(org_id, (row["organization"], {}))
        current = workspaces.get(ws_id)
        # keep the strongest way of belonging to a workspace
        if current is None or _rank(row["membership"]) > _rank(current.membership):
            workspaces[ws_id] = Workspace(ws_id, row["workspace"], row["membership"])
    return tuple(
        Organization(
            org_id,
            name,
            tuple(sorted(ws.values(), key=lambda w: w.name)),
            *employments.get(org_id, (None, None)),
        )
        for org_id, (name, ws) in sorted(grouped.items(), key=lambda item: item[1][0])
    )


def home_organization(viewer: Viewer) -> Organization:
    """The organization shown after sign-in: the viewer's own (employee record or created by them), else the
    first by name. Someone who also belongs to another organization (the demo's accounts) starts at home."""
    return next(
        (o for o in viewer.organizations if o.employee_id is not None or "creator" in o.memberships),
        viewer.organizations[0],
    )


def _rank(membership: str) -> int:
    return {"creator": 4, "admin": 3, "manager": 2}.get(membership, 1)
