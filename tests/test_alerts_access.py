"""Who sees and acknowledges alerts: the reader login inside a tenant session sees its organization's
alerts only (narrowed to its workspaces), and only at HR level `all` (owners and managers);
`prometric_acknowledge_alert` acknowledges only for the session's own viewer, an owner or manager of
the organization, an alert of that organization."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from prometric_pipelines.db.tenancy import TenantViewer, tenant_session
from tests.factories import make, make_tenant

DAY = dt.date(2026, 1, 13)


@pytest.fixture(scope="module")
def data(engine):
    with engine.begin() as conn:
        a, b = make_tenant(conn), make_tenant(conn)
        branch = make(conn, "workspaces", organizationId=a["organization"]["id"], name="Branch")
        manager = make(conn, "users", status="active")
        make(conn, "employees", organizationId=a["organization"]["id"], workspaceId=a["workspace"]["id"],
             userId=manager["id"], organizationRole="manager")  # fmt: skip
        admin = make(conn, "users", status="active")
        make(conn, "workspace_users", workspaceId=branch["id"], userId=admin["id"], role="admin", isActive=True)
        worker = make(conn, "users", status="active")
        make(conn, "employees", organizationId=a["organization"]["id"], workspaceId=a["workspace"]["id"],
             userId=worker["id"], organizationRole="employee")  # fmt: skip

        def alert(tenant, workspace_id, subject, kind="anomaly"):
            return make(conn, "alerts", organizationId=tenant["organization"]["id"], workspaceId=workspace_id,
                        kind=kind, subject=subject, day=DAY, severity="warning", explanation="x",
                        explanationRu="x")["id"]  # fmt: skip

        ids = {
            "a_main": alert(a, a["workspace"]["id"], "orders_revenue"),
            "a_branch": alert(a, branch["id"], "orders_revenue"),
            "a_org": alert(a, None, "daily_metrics", kind="freshness"),
            "b_main": alert(b, b["workspace"]["id"], "orders_revenue"),
        }
    return {
        "a": str(a["organization"]["id"]), "b": str(b["organization"]["id"]), "a_main": str(a["workspace"]["id"]),
        "branch": str(branch["id"]), "owner": str(a["owner"]["id"]), "b_owner": str(b["owner"]["id"]),
        "manager": str(manager["id"]), "admin": str(admin["id"]), "worker": str(worker["id"]),
        **{k: str(v) for k, v in ids.items()},
    }  # fmt: skip


def visible(reader, key, organization, workspaces=None, viewer=None) -> set[str]:
    with tenant_session(reader, organization, workspaces, viewer=viewer, key=key) as conn:
        return {str(r[0]) for r in conn.execute(text("SELECT id FROM alerts"))}


def acknowledge(reader, key, organization, alert_id, user_id, viewer_id=None, level="all") -> bool:
    viewer = TenantViewer(viewer_id or user_id, level)
    with tenant_session(reader, organization, viewer=viewer, key=key) as conn:
        return conn.execute(
            text("SELECT prometric_acknowledge_alert(:a, :u)"), {"a": alert_id, "u": user_id}
        ).scalar_one()


def test_an_organization_sees_its_own_alerts_only(data, reader, key):
    owner = TenantViewer(data["owner"], "all")
    assert visible(reader, key, data["a"], viewer=owner) == {data["a_main"], data["a_branch"], data["a_org"]}
    assert visible(reader, key, data["b"], viewer=TenantViewer(data["b_owner"], "all")) == {data["b_main"]}
    # outside a tenant session the reader sees nothing at all
    with reader.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alerts")).scalar_one() == 0


def test_workspace_narrowing_keeps_organization_wide_alerts(data, reader, key):
    seen = visible(reader, key, data["a"], [data["branch"]], TenantViewer(data["owner"], "all"))
    assert seen == {data["a_branch"], data["a_org"]}


@pytest.mark.parametrize("level", ["self", "none"])
def test_viewers_without_access_see_no_alerts(data, reader, key, level):
    assert visible(reader, key, data["a"], viewer=TenantViewer(data["worker"], level)) == set()


def test_the_reader_cannot_write_alerts(data, reader, key):
    viewer = TenantViewer(data["owner"], "all")
    with (
        pytest.raises(Exception, match="permission denied"),
        tenant_session(reader, data["a"], viewer=viewer, key=key) as conn,
    ):
        conn.execute(text("""UPDATE alerts SET "acknowledgedAt" = now()"""))


def acknowledged(engine, alert_id):
    with engine.connect() as conn:
        return conn.execute(
            text('SELECT CAST("acknowledgedBy" AS text), "acknowledgedAt" IS NOT NULL FROM alerts WHERE id = :i'),
            {"i": alert_id},
        ).one()


def test_acknowledging_needs_an_owner_or_manager_of_the_sessions_organization(data, reader, key, engine):
    # an employee, another organization's owner, a viewer acting for someone else: refused, nothing changes
    assert acknowledge(reader, key, data["a"], data["a_main"], data["worker"]) is False
    assert acknowledge(reader, key, data["b"], data["a_main"], data["b_owner"]) is False
    assert acknowledge(reader, key, data["a"], data["a_main"], data["manager"], viewer_id=data["worker"]) is False
    assert acknowledged(engine, data["a_main"]) == (None, False)
    # the organization's manager (employee role) and a workspace admin may
    assert acknowledge(reader, key, data["a"], data["a_main"], data["manager"]) is True
    assert acknowledged(engine, data["a_main"]) == (data["manager"], True)
    assert acknowledge(reader, key, data["a"], data["a_branch"], data["admin"]) is True
    assert acknowledged(engine, data["a_branch"]) == (data["admin"], True)
    # a second acknowledgement keeps the first one's name
    assert acknowledge(reader, key, data["a"], data["a_main"], data["owner"]) is True
    assert acknowledged(engine, data["a_main"]) == (data["manager"], True)
    # B's owner cannot reach A's alert even from B's session; A's other alerts are untouched
    assert acknowledged(engine, data["a_org"]) == (None, False)
    assert acknowledged(engine, data["b_main"]) == (None, False)


def test_an_unsigned_session_cannot_acknowledge(data, reader, engine):
    viewer = TenantViewer(data["owner"], "all")
    with tenant_session(reader, data["a"], viewer=viewer, key="not-the-key") as conn:
        assert (
            conn.execute(
                text("SELECT prometric_acknowledge_alert(:a, :u)"), {"a": data["a_org"], "u": data["owner"]}
            ).scalar_one()
            is False
        )
    assert acknowledged(engine, data["a_org"]) == (None, False)
