"""Failure isolation in the audit archival: an organization whose manifest the database refuses (a trigger
raising on its `audit_log_archives` rows, after its file was written) keeps every live row and gets no
manifest, while the other organization and the rows without organization are archived as by a clean run;
re-running only the failed organization, fault gone, ends where a clean full run ends."""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg
import pytest
from sqlalchemy import text

from prometric_pipelines.audit.storage import Archive
from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.defs.audit.assets import audit_archive
from prometric_pipelines.lib.resources import ArchiveResource, PostgresResource
from tests.audit_cases import seed_history
from tests.factories import make
from tests.faults.isolation import check, fault, materialization_failures, notified, owners, run_failure

pytestmark = pytest.mark.faults

MANIFESTS = text("""SELECT CAST("organizationId" AS text), year, month, path, "rowCount", "contentChecksum",
                           "chainPosition"
                    FROM audit_log_archives ORDER BY 1 NULLS FIRST, 2, 3, 4""")
LIVE = text("""SELECT CAST("organizationId" AS text), id FROM audit_logs ORDER BY 1 NULLS FIRST, 2""")


@pytest.fixture(scope="module")
def base(databases, template_database) -> Iterator[tuple[str, dict[str, str]]]:
    url = databases.create("isolation_archive_base", template=template_database)
    engine = create_db_engine(url)
    with engine.begin() as conn:
        orgs = seed_history(conn)["orgs"]
        for org in orgs.values():
            user = make(conn, "users", status="active")
            make(conn, "employees", organizationId=org, userId=user["id"], organizationRole="owner", status="active")
    engine.dispose()
    yield url.database, orgs
    databases.drop(url)


def state(engine, root) -> dict[str, list]:
    with engine.connect() as conn:
        manifests = [tuple(r) for r in conn.execute(MANIFESTS)]
        live = [tuple(r) for r in conn.execute(LIVE)]
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    return {"manifests": manifests, "live": live, "files": files}


def only(found: dict[str, list], organization: str | None) -> dict[str, list]:
    return {
        "manifests": [m for m in found["manifests"] if m[0] == organization],
        "live": [r for r in found["live"] if r[0] == organization],
    }


def materialize(url, config: dict | None = None) -> dg.ExecuteInProcessResult:
    with dg.DagsterInstance.ephemeral() as instance:
        return dg.materialize(
            [audit_archive],
            partition_key="2025-03-01",
            resources={
                "postgres": PostgresResource(database_url=url.render_as_string(hide_password=False)),
                "archive_storage": ArchiveResource(),
            },
            run_config={"ops": {"audit_archive": {"config": config or {}}}},
            instance=instance,
            raise_on_error=False,
        )


def test_one_organization_failing_archival_keeps_its_rows_and_the_others_are_archived(
    databases, base, tmp_path, monkeypatch
):
    template, orgs = base
    clean, bad = orgs["a"], orgs["b"]
    monkeypatch.setenv("AUDIT_RETENTION_MONTHS", "1")  # partition 2025-03: cutoff 1 March 2025
    clean_url = databases.create("isolation_archive_clean", template=template)
    faulty_url = databases.create("isolation_archive_faulty", template=template)
    clean_engine, engine = create_db_engine(clean_url), create_db_engine(faulty_url)
    clean_root, faulty_root = tmp_path / "clean", tmp_path / "faulty"
    try:
        monkeypatch.setenv("ARCHIVE_URL", str(clean_root))
        assert materialize(clean_url).success
        full = state(clean_engine, clean_root)
        assert {m[0] for m in full["manifests"]} == {None, clean, bad}

        monkeypatch.setenv("ARCHIVE_URL", str(faulty_root))
        before = state(engine, Archive.from_url().root)
        with fault(engine, "audit_log_archives", bad, message="injected fault: manifest refused"):
            result = materialize(faulty_url)
        assert not result.success
        description, failed = run_failure(result)
        assert description == "partial: 1 of 3 organizations failed"  # a, b and the rows without organization
        assert [(f["organization_id"], f["step"], f["reason"]) for f in failed] == [
            (bad, "audit_archive", "injected fault: manifest refused")
        ]
        after = state(engine, faulty_root)
        for organization in (clean, None):
            assert only(after, organization) == only(full, organization)
        assert only(after, bad) == only(before, bad)  # every row still live, no manifest
        passed, check_failed, _ = check(result, "audit_archive_organizations_completed")
        assert not passed and [f["organization_id"] for f in check_failed] == [bad]
        assert [f["organization_id"] for f in materialization_failures(result, "audit_archive")] == [bad]
        messages = notified(engine, result.run_id)
        assert [user for user, _, _ in messages] == owners(engine, bad) != []
        assert all(named == [bad] for _, named, _ in messages)

        assert materialize(faulty_url, {"organization_ids": [bad]}).success
        assert state(engine, faulty_root) == full  # the file left without manifest was swept and redone
    finally:
        clean_engine.dispose()
        engine.dispose()
        databases.drop(clean_url)
        databases.drop(faulty_url)
