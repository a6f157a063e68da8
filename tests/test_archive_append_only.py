"""The archive cannot be erased with the jobs login (issue 19.2): manifests are append-only (grants +
trigger), a restore is a new link, a file goes only when its rows are proven live again, and
`audit verify` checks the chain against the head recorded outside the database. Files 0600, folders 0700.

The attack of the issue, on the code before this change: with the jobs login, set `restoredAt` on a
manifest or delete the chain's last link, run the archive: the file was deleted and verify said intact.
"""

from __future__ import annotations

import datetime as dt
import json
import stat

import dagster as dg
import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from prometric_pipelines.audit.archive import archive_audit_logs, restore_month
from prometric_pipelines.audit.manifests import manifest_hash
from prometric_pipelines.audit.storage import Archive
from prometric_pipelines.audit.verify import verify_archive
from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.db.migrate import downgrade, migrate
from prometric_pipelines.db.roles import JOBS_ROLE
from prometric_pipelines.defs.audit.assets import audit_archive
from prometric_pipelines.lib.resources import ArchiveResource, PostgresResource
from tests.audit_cases import BEFORE, EXPECTED_PIECES, assert_exactly_once, live_rows, seed_history

LINKS = text("""
    SELECT id::text AS id, "organizationId"::text AS organization_id, year, month, path, "rowCount" AS row_count,
           "minCreatedAt" AS min_created_at, "maxCreatedAt" AS max_created_at, "fileSha256" AS file_sha256,
           "contentChecksum" AS content_checksum, "chainPosition" AS chain_position, "prevHash" AS prev_hash, hash,
           "archivedAt" AS archived_at, "runKey" AS run_key, "restoredAt" AS restored_at, action,
           "restoresId"::text AS restores_id
    FROM audit_log_archives
    WHERE "organizationId" IS NOT DISTINCT FROM CAST(:org AS uuid)
    ORDER BY "chainPosition"
""")


@pytest.fixture
def archived(databases, template_database, tmp_path, request, server_logins):
    """A fresh database with the hand-made history archived before 2025-03-15 (by the jobs login), the
    owner's and the jobs login's engines."""
    url = databases.create(f"appendonly_{request.node.name}"[:40], template=template_database)
    owner = create_db_engine(url)
    with owner.begin() as conn:
        seeded = seed_history(conn)
    with owner.connect() as conn:
        originals = live_rows(conn)
    logins = server_logins(owner)
    jobs = create_db_engine(logins[JOBS_ROLE].set(database=url.database))
    archive = Archive.from_url(str(tmp_path / "archive"))
    # the archive itself needs nothing but INSERT on the manifests
    result = archive_audit_logs(jobs, archive, before=BEFORE)
    assert result.rows_archived == sum(EXPECTED_PIECES.values())
    yield {**seeded, "url": url, "owner": owner, "jobs": jobs, "archive": archive, "originals": originals}
    jobs.dispose()
    owner.dispose()
    databases.drop(url)


def links(engine, org: str | None) -> list:
    with engine.connect() as conn:
        return conn.execute(LINKS, {"org": org}).all()


def refused(engine, statement: str, params: dict) -> str:
    with pytest.raises(DBAPIError) as caught, engine.begin() as conn:
        conn.execute(text(statement), params)
    assert isinstance(caught.value.orig, psycopg.errors.InsufficientPrivilege)
    return str(caught.value.orig)


def test_the_jobs_login_can_neither_edit_nor_delete_a_manifest_and_the_files_stay(archived):
    jobs, owner, archive, org = archived["jobs"], archived["owner"], archived["archive"], archived["orgs"]["a"]
    chain = links(owner, org)
    last = chain[-1]
    # the attack: mark the newest file restored, or delete the chain's last link
    assert "permission denied" in refused(
        jobs, 'UPDATE audit_log_archives SET "restoredAt" = now() WHERE id = CAST(:id AS uuid)', {"id": last.id}
    )
    assert "permission denied" in refused(
        jobs, "DELETE FROM audit_log_archives WHERE id = CAST(:id AS uuid)", {"id": last.id}
    )
    assert "permission denied" in refused(jobs, "TRUNCATE audit_log_archives", {})
    # a grant given by mistake does not open it: the trigger refuses every login but the table's owner
    with owner.begin() as conn:
        conn.execute(text("GRANT UPDATE, DELETE, TRUNCATE ON audit_log_archives TO prometric_jobs"))
    try:
        assert "append-only" in refused(
            jobs, 'UPDATE audit_log_archives SET "restoredAt" = now() WHERE id = CAST(:id AS uuid)', {"id": last.id}
        )
        assert "append-only" in refused(
            jobs, "DELETE FROM audit_log_archives WHERE id = CAST(:id AS uuid)", {"id": last.id}
        )
        assert "append-only" in refused(jobs, "TRUNCATE audit_log_archives", {})
    finally:
        with owner.begin() as conn:
            conn.execute(text("REVOKE UPDATE, DELETE, TRUNCATE ON audit_log_archives FROM prometric_jobs"))

    again = archive_audit_logs(jobs, archive, before=BEFORE)
    assert again.swept_files == 0 and again.rows_archived == 0
    assert links(owner, org) == chain
    assert all(archive.absolute(link.path).is_file() for link in chain)
    with owner.connect() as conn:
        assert_exactly_once(conn, archive.root, archived["originals"])
    assert verify_archive(owner, archive).clean


def test_links_removed_or_marked_restored_behind_the_archive_keep_their_files_and_verify_reports_them(archived):
    """Someone who bypasses the grants (the table's owner, a superuser) edits the chain: nothing is
    deleted, because the rows of those files are not in the database, and verify says what happened."""
    owner, archive, org = archived["owner"], archived["archive"], archived["orgs"]["a"]
    chain = links(owner, org)  # a: 2025-01, 2025-02, 2025-03
    assert [link.chain_position for link in chain] == [1, 2, 3]
    with owner.begin() as conn:
        conn.execute(text("DELETE FROM audit_log_archives WHERE id = CAST(:id AS uuid)"), {"id": chain[-1].id})
        conn.execute(
            text('UPDATE audit_log_archives SET "restoredAt" = now() WHERE id = CAST(:id AS uuid)'), {"id": chain[0].id}
        )
    result = archive_audit_logs(archived["jobs"], archive, before=BEFORE)
    assert result.swept_files == 0
    assert sorted(result.kept_files) == sorted([chain[0].path, chain[-1].path])
    assert all(archive.absolute(link.path).is_file() for link in chain)

    report = verify_archive(owner, archive, [org])
    problems = "\n".join(report.problems)
    assert "the chain does not contain its recorded head (link 3" in problems
    assert "ends at link 2" in problems
    assert f"{chain[-1].path} is in no active manifest" in problems
    assert f"{chain[0].path} is in no active manifest" in problems
    assert len(report.problems) == 3, problems

    # a new link appended after the truncation (a late row of March archived) does not move the head
    with owner.begin() as conn:
        conn.execute(
            text("""INSERT INTO audit_logs ("organizationId", action, entity, "createdAt")
                    VALUES (CAST(:org AS uuid), 'UPDATE', 'orders', '2025-03-02 10:00')"""),
            {"org": org},
        )
    kept_bytes = archive.absolute(chain[-1].path).read_bytes()
    assert archive_audit_logs(archived["jobs"], archive, before=BEFORE).rows_archived == 1
    new_chain = links(owner, org)
    assert [link.chain_position for link in new_chain] == [1, 2, 3]
    assert new_chain[-1].path == chain[-1].path.replace("part-0001", "part-0002")  # the kept file is not reused
    assert archive.absolute(chain[-1].path).read_bytes() == kept_bytes
    report = verify_archive(owner, archive, [org])
    assert any("the chain does not contain its recorded head (link 3" in problem for problem in report.problems)


def test_a_forged_restore_link_written_by_the_jobs_login_deletes_nothing(archived):
    """The jobs login may append links: a restore link it forges (correctly chained and hashed) for the
    newest file does not make the archive delete that file, as its rows are not back in the database."""
    jobs, owner, archive, org = archived["jobs"], archived["owner"], archived["archive"], archived["orgs"]["b"]
    chain = links(owner, org)
    target = chain[-1]
    forged = {
        **target._mapping,
        "chain_position": target.chain_position + 1,
        "prev_hash": target.hash,
        "archived_at": dt.datetime(2026, 1, 1),
        "run_key": "forged",
        "action": "restore",
        "restores_id": target.id,
    }
    forged["hash"] = manifest_hash(forged)
    with jobs.begin() as conn:
        conn.execute(
            text("""
                INSERT INTO audit_log_archives ("organizationId", year, month, path, "rowCount", "minCreatedAt",
                    "maxCreatedAt", "fileSha256", "contentChecksum", "chainPosition", "prevHash", hash, "archivedAt",
                    "runKey", action, "restoresId")
                VALUES (CAST(:organization_id AS uuid), :year, :month, :path, :row_count, :min_created_at,
                    :max_created_at, :file_sha256, :content_checksum, :chain_position, :prev_hash, :hash,
                    :archived_at, :run_key, :action, CAST(:restores_id AS uuid))
            """),
            forged,
        )
    result = archive_audit_logs(jobs, archive, before=BEFORE)
    assert result.kept_files == [target.path] and result.swept_files == 0
    assert archive.absolute(target.path).is_file()
    report = verify_archive(owner, archive, [org])
    assert [p for p in report.problems if f"{target.path} is in no active manifest" in p], report.problems


def test_a_restore_appends_a_link_and_removes_the_file_only_with_its_rows_live(archived):
    owner, archive, orgs = archived["owner"], archived["archive"], archived["orgs"]
    before = links(owner, orgs["a"])
    restored = restore_month(archived["jobs"], archive, dt.date(2025, 2, 1), organization_ids=[orgs["a"]])
    assert restored.rows_restored == 25
    after = links(owner, orgs["a"])
    assert after[: len(before)] == before  # nothing edited
    link = after[-1]
    assert (link.action, link.restores_id, link.path, link.chain_position) == (
        "restore",
        before[1].id,
        before[1].path,
        len(before) + 1,
    )
    assert not archive.absolute(before[1].path).exists()
    head = json.loads(archive.head_path(orgs["a"]).read_text())
    assert (head["chain_position"], head["hash"]) == (link.chain_position, link.hash)
    with owner.connect() as conn:
        assert_exactly_once(conn, archive.root, archived["originals"])
    assert verify_archive(owner, archive).clean


def test_verify_reports_a_missing_file_and_a_missing_head(archived):
    owner, archive, org = archived["owner"], archived["archive"], archived["orgs"]["a"]
    chain = links(owner, org)
    archive.absolute(chain[1].path).unlink()
    archive.head_path(None).unlink()
    problems = "\n".join(verify_archive(owner, archive).problems)
    assert f"link 2 ({chain[1].path}): file missing" in problems
    assert "global: no chain head recorded outside the database" in problems


def test_archive_files_heads_and_folders_are_private(archived):
    archive = archived["archive"]
    files = [p for p in archive.root.rglob("*") if p.is_file()]
    folders = [archive.root, *(p for p in archive.root.rglob("*") if p.is_dir())]
    assert len([f for f in files if f.suffix == ".parquet"]) == len(EXPECTED_PIECES)
    assert len([f for f in files if f.suffix == ".json"]) == 3  # a head per chain: global, a, b
    assert {stat.S_IMODE(f.stat().st_mode) for f in files} == {0o600}
    assert {stat.S_IMODE(f.stat().st_mode) for f in folders} == {0o700}


def test_the_run_metadata_records_each_chain_head(archived, monkeypatch):
    owner, archive, orgs = archived["owner"], archived["archive"], archived["orgs"]
    monkeypatch.setenv("ARCHIVE_URL", str(archive.root))
    monkeypatch.setenv("AUDIT_RETENTION_MONTHS", "1")
    resources = {
        "postgres": PostgresResource(database_url=archived["url"].render_as_string(hide_password=False)),
        "archive_storage": ArchiveResource(),
    }
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize([audit_archive], resources=resources, instance=instance, partition_key="2025-04-01")
    assert result.success
    heads = result.asset_materializations_for_node("audit_archive")[0].metadata["chain_heads"].value
    expected = {}
    for key, org in (("global", None), ("a", orgs["a"]), ("b", orgs["b"])):
        newest = links(owner, org)[-1]
        expected[org or "global"] = {"chain_position": newest.chain_position, "hash": newest.hash}
        assert json.loads(archive.head_path(org).read_text())["hash"] == newest.hash, key
    assert heads == expected
    assert heads[orgs["a"]]["chain_position"] == 4  # March's rest (1 April cutoff) became link 4


def test_the_migration_goes_down_with_restore_links_and_up_again(archived):
    """Down: the edit-in-place form again (restored manifests get `restoredAt`, restore links are kept but
    inactive, paths unique); the files the old schema calls active are exactly the files on disk."""
    owner, archive, org = archived["owner"], archived["archive"], archived["orgs"]["a"]
    restore_month(archived["jobs"], archive, dt.date(2025, 2, 1), organization_ids=[org])
    on_disk = sorted(archive.relative(p) for p in archive.root.rglob("*.parquet"))
    downgrade(owner, "20261205160000")
    with owner.connect() as conn:
        active = conn.execute(text('SELECT path FROM audit_log_archives WHERE "restoredAt" IS NULL ORDER BY path'))
        assert list(active.scalars()) == on_disk
        assert conn.execute(text("SELECT count(*) FROM audit_log_archives")).scalar_one() == len(EXPECTED_PIECES) + 1
    migrate(owner)
    with owner.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_log_archives WHERE action = 'archive'")).scalar_one() == 7
    assert "permission denied" in refused(archived["jobs"], 'UPDATE audit_log_archives SET "runKey" = :k', {"k": "x"})
