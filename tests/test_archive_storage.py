"""The audit archive end to end on each store (a local folder, a bucket of a real SeaweedFS): the Dagster
asset and its metadata (object URLs, sizes, SHA-256), `audit query` over live + archived rows, verify
(which catches an object replaced behind the archive's back), and a restore."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import threading
import uuid

import dagster as dg
import pyarrow.parquet as pq
import pytest
from sqlalchemy import text

from prometric_pipelines.audit.archive import (
    ArchiveIntegrityError,
    ArchiveResult,
    OrganizationScope,
    _archive_month,
    _archive_piece,
    restore_month,
)
from prometric_pipelines.audit.query import AuditFilters, query_audit_logs
from prometric_pipelines.audit.storage import Archive
from prometric_pipelines.audit.verify import verify_archive
from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.defs.audit.assets import audit_archive
from prometric_pipelines.lib.resources import ArchiveResource, PostgresResource
from tests.audit_cases import assert_exactly_once, live_rows, seed_history


@pytest.fixture
def history(databases, template_database, store, monkeypatch):
    url = databases.create(f"auditst_{store.kind}", template=template_database)
    engine = create_db_engine(url)
    with engine.begin() as conn:
        seeded = seed_history(conn)
    with engine.connect() as conn:
        originals = live_rows(conn)
    monkeypatch.setenv("ARCHIVE_URL", store.url)
    yield {**seeded, "engine": engine, "url": url, "originals": originals, "store": store}
    engine.dispose()
    databases.drop(url)


def _query(engine, organization_id: str, archive: Archive):
    with engine.connect() as conn:
        frame = query_audit_logs(conn, organization_id, AuditFilters(), archive=archive, limit=None)
    return sorted(frame["id"])


def test_archive_query_verify_and_restore_on_each_store(history, monkeypatch):
    engine, orgs, store = history["engine"], history["orgs"], history["store"]
    archive = Archive.from_url(store.url)
    before = {key: _query(engine, orgs[key], archive) for key in ("a", "b")}
    assert len(before["a"]) == 30 + 25 + 10 + 8 + 1 and len(before["b"]) == 25  # all live yet

    monkeypatch.setenv("AUDIT_RETENTION_MONTHS", "1")
    resources = {
        "postgres": PostgresResource(database_url=history["url"].render_as_string(hide_password=False)),
        "archive_storage": ArchiveResource(),
    }
    with dg.DagsterInstance.ephemeral() as instance:  # partition 2025-03, one month: cutoff 1 March 2025
        result = dg.materialize([audit_archive], resources=resources, instance=instance, partition_key="2025-03-01")
    assert result.success
    meta = result.asset_materializations_for_node("audit_archive")[0].metadata
    assert meta["rows_archived"].value == 4 + 30 + 25 + 20 and meta["archive"].value == archive.url
    pieces = meta["pieces"].value
    assert len(pieces) == 4 and meta["bytes_written"].value == sum(p["size_bytes"] for p in pieces)
    for piece in pieces:  # the object's URL, size and SHA-256, as read back from the store
        content = b"".join(archive.store.open_read(piece["path"]))
        assert (piece["size_bytes"], piece["sha256"]) == (len(content), hashlib.sha256(content).hexdigest())
        scheme = "s3://" if store.kind == "s3" else "file://"
        assert piece["url"] == f"{scheme}{store.url.removeprefix('s3://')}/{piece['path']}"

    # one result over live and archived rows, the same rows as before the archive run
    assert {key: _query(engine, orgs[key], archive) for key in ("a", "b")} == before
    with engine.connect() as conn:
        assert_exactly_once(conn, archive, history["originals"])
    assert verify_archive(engine, archive).clean

    # an object replaced behind the archive's back (the same rows, compressed otherwise): verify names it
    (february,) = [p["path"] for p in pieces if p["month"] == "2025-02"]
    content = b"".join(archive.store.open_read(february))
    replacement = io.BytesIO()
    pq.write_table(pq.read_table(io.BytesIO(content)), replacement, compression="snappy")
    archive.store.delete(february)
    archive.store.put_bytes(february, replacement.getvalue(), expected_tag=None)
    problems = verify_archive(engine, archive).problems
    assert problems == [
        f"{orgs['a']} link 2 ({february}): file SHA-256 differs from the manifest (file altered or replaced)"
    ]
    archive.store.delete(february)
    archive.store.put_bytes(february, content, expected_tag=None)

    # a restore puts January back and removes its objects; the query still returns every row once
    restored = restore_month(engine, archive, dt.date(2025, 1, 1))
    assert restored.rows_restored == 4 + 30 + 20
    assert not [key for key in archive.parquet_keys() if "/month=01/" in key]
    assert {key: _query(engine, orgs[key], archive) for key in ("a", "b")} == before
    with engine.connect() as conn:
        live = conn.execute(text("SELECT count(*) FROM audit_logs")).scalar_one()
        assert_exactly_once(conn, archive, history["originals"])
    assert live == len(history["originals"]) - 25  # only February stays archived
    assert verify_archive(engine, archive).clean


def test_two_runs_racing_on_one_month_without_the_lock_exactly_one_commits(history):
    """The advisory lock normally keeps runs apart; here two runs of one month bypass it and meet at the
    publish step (a barrier in front of the store): the create-only publish lets one object through,
    the other run stops with nothing deleted, and the month is archived once."""
    engine, orgs, store = history["engine"], history["orgs"], history["store"]
    archive = Archive.from_url(store.url)
    publish = archive.store.put_file
    both_exported = threading.Barrier(2, timeout=120)

    def publish_together(key, staged):
        both_exported.wait()  # both runs have exported, verified and chosen their key
        return publish(key, staged)

    object.__setattr__(archive.store, "put_file", publish_together)
    outcomes: list[object] = []

    def run() -> None:
        result = ArchiveResult(run_key=uuid.uuid4().hex, scopes=[])
        try:
            outcomes.append(
                _archive_piece(engine, archive, orgs["a"], dt.datetime(2025, 1, 1), dt.datetime(2025, 2, 1), result)
            )
        except ArchiveIntegrityError as error:
            outcomes.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    committed = [o for o in outcomes if not isinstance(o, Exception)]
    refused = [o for o in outcomes if isinstance(o, ArchiveIntegrityError)]
    assert len(committed) == 1 and len(refused) == 1, outcomes
    assert "appeared while this run wrote it" in str(refused[0]) and "nothing was deleted" in str(refused[0])
    assert committed[0].rows == 30
    with engine.connect() as conn:
        links = conn.execute(text('SELECT path FROM audit_log_archives WHERE "organizationId" = :o'), {"o": orgs["a"]})
        assert [row.path for row in links] == [committed[0].path]
        assert_exactly_once(conn, archive, history["originals"])
    assert archive.parquet_keys() == [committed[0].path]
    assert verify_archive(engine, archive, [orgs["a"]]).clean


def test_two_runs_racing_on_one_month_export_publish_each_organization_once(history):
    """The month path (one export split into a file per organization) meets the same race: per key one
    publish wins; an organization whose key the other run took fails in this run with nothing deleted,
    and each organization's January is archived exactly once, its piece carrying the object's URL, size
    and SHA-256 as read back from the store."""
    engine, orgs, store = history["engine"], history["orgs"], history["store"]
    archive = Archive.from_url(store.url)
    publish = archive.store.put_file
    both_exported = threading.Barrier(2, timeout=120)

    def publish_together(key, staged):
        both_exported.wait()  # both runs publish the same organization's file at the same time
        return publish(key, staged)

    object.__setattr__(archive.store, "put_file", publish_together)
    scopes = [OrganizationScope(o, dt.date(2025, 2, 1), 1) for o in (None, orgs["a"], orgs["b"])]
    outcomes: list[tuple] = []

    def run() -> None:
        result = ArchiveResult(run_key=uuid.uuid4().hex, scopes=scopes)
        outcomes.append(_archive_month(engine, archive, dt.date(2025, 1, 1), scopes, result, droppable=False))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(outcomes) == 2, outcomes
    pieces = [piece for found, _ in outcomes for piece in found]
    failures = [failure for _, failed in outcomes for failure in failed]
    assert sorted((p.organization_id or "", p.rows) for p in pieces) == sorted(
        [("", 4), (orgs["a"], 30), (orgs["b"], 20)]
    )
    assert sorted(f.organization_id or "" for f in failures) == sorted(["", orgs["a"], orgs["b"]])
    assert all("appeared while this run wrote it" in f.reason and "nothing was deleted" in f.reason for f in failures)
    scheme = "s3://" if store.kind == "s3" else "file://"
    for piece in pieces:
        content = b"".join(archive.store.open_read(piece.path))
        assert (piece.size_bytes, piece.sha256) == (len(content), hashlib.sha256(content).hexdigest())
        assert piece.url == f"{scheme}{store.url.removeprefix('s3://')}/{piece.path}"
    with engine.connect() as conn:
        paths = conn.execute(text("SELECT path FROM audit_log_archives WHERE month = 1 AND year = 2025")).scalars()
        assert sorted(paths) == sorted(p.path for p in pieces) == archive.parquet_keys()
        assert_exactly_once(conn, archive, history["originals"])
