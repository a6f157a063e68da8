"""Who may see what: the viewer, their memberships, role → pages, and the permission checks.

Plain Python (no Streamlit): the app, the query layer and the tests share these rules.

Rules (specs/dashboards.md): HR & Payroll (and every employee-level read) only for users whose
`users.role` is owner/manager or who are workspace `admin`/`manager` in the organization; an
`investor` sees Overview and Finance; an `employee` sees Overview, My tasks and My payslips.
The Database admin page (the whole database's health and backups, no tenant's rows) is for `users.role`
owner only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from prometric_pipelines.db.tenancy import HrAccess

# page key → title, in navigation order
PAGES: dict[str, str] = {
    "overview": "Overview",
    "sales": "Sales & CRM",
    "finance": "Finance",
    "inventory": "Inventory",
    "hr": "HR & Payroll",
    "operations": "Operations",
    "audit": "Audit",
    "database": "Database",
    "my_tasks": "My tasks",
    "my_payslips": "My payslips",
}
ANALYST_PAGES = ("overview", "sales", "finance", "inventory", "operations")
MANAGER_ROLES = frozenset({"owner", "manager"})
WORKSPACE_MANAGER_ROLES = frozenset({"admin", "manager"})
DATABASE_ROLES = frozenset({"owner"})  # users.role that may open the Database admin page


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

    @property
    def memberships(self) -> frozenset[str]:
        return frozenset(w.membership for w in self.workspaces)


@dataclass(frozen=True)
class Viewer:
    user_id: str
    email: str
    name: str
    role: str  # users.role
    organizations: tuple[Organization, ...] = field(default_factory=tuple)

    def organization(self, organization_id: str | None) -> Organization | None:
        """The organization if the viewer belongs to it, else None (a tampered id finds nothing)."""
        return next((o for o in self.organizations if o.id == organization_id), None)


def hr_access(viewer: Viewer, organization: Organization) -> HrAccess:
    """'all' (every employee's HR data), 'self' (their own payslips and tasks) or 'none'."""
    if viewer.role in MANAGER_ROLES or organization.memberships & (WORKSPACE_MANAGER_ROLES | {"creator"}):
        return "all"
    if viewer.role == "investor":
        return "none"
    return "self" if organization.employee_id is not None else "none"


def allowed_pages(viewer: Viewer, organization: Organization) -> tuple[str, ...]:
    """The pages the viewer may open in this organization, in navigation order."""
    access = hr_access(viewer, organization)
    if access == "all":
        admin = ("database",) if viewer.role in DATABASE_ROLES else ()
        return (*ANALYST_PAGES[:4], "hr", "operations", "audit", *admin)
    if viewer.role == "investor":
        return ("overview", "finance")
    if access == "self":
        return ("overview", "my_tasks", "my_payslips")
    return ("overview",)


@dataclass(frozen=True)
class Scope:
    """What one read may see: the tenant, the workspaces (None = all of the organization's), and the
    viewer's access — all part of every cache key, so one viewer's cached rows never serve another."""

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
        pages=allowed_pages(viewer, organization),
        hr_access=hr_access(viewer, organization),
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


def organizations_from_rows(rows: Iterable[dict], employee_ids: dict[str, str]) -> tuple[Organization, ...]:
    """Groups membership rows (memberships.sql) by organization."""
    grouped: dict[str, tuple[str, dict[str, Workspace]]] = {}
    for row in rows:
        org_id, ws_id = str(row["organization_id"]), str(row["workspace_id"])
        _name, workspaces = grouped.setdefault(org_id, (row["organization"], {}))
        current = workspaces.get(ws_id)
        # keep the strongest way of belonging to a workspace
        if current is None or _rank(row["membership"]) > _rank(current.membership):
            workspaces[ws_id] = Workspace(ws_id, row["workspace"], row["membership"])
    return tuple(
        Organization(org_id, name, tuple(sorted(ws.values(), key=lambda w: w.name)), employee_ids.get(org_id))
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
