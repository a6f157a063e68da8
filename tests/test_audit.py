"""Audit-log archival: the protocol's result, restore, verify (tampering), the query, Dagster and the CLI."""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections import Counter
from pathlib import Path

import dagster as dg
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import text

from prometric_pipelines.audit import archive as archive_module
from prometric_pipelines.audit.archive import (
    archive_audit_logs,
    restore_month,
    retention_cutoff,
)
from prometric_pipelines.audit.query import AuditFilters, query_audit_logs
from prometric_pipelines.audit.storage import Archive
from prometric_pipelines.audit.verify import verify_archive
from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.defs.audit.assets import audit_archive
from prometric_pipelines.defs.audit.schedules import audit_archive_schedule
from prometric_pipelines.errors import ConfigError
from prometric_pipelines.lib.resources import ArchiveResource, PostgresResource
from prometric_pipelines.validation import InvalidInput
from tests.audit_cases import (
    BEFORE,
    EXPECTED_PIECES,
    LIVE_AFTER,
    assert_exactly_once,
    live_rows,
    org_key,
    seed_history,
)
from tests.checksums import database_checksum
from tests.cli import assert_one_clear_line, prometric
from tests.operator import operator_env

MANIFESTS = text("""
    SELECT "organizationId"::text AS org, year, month, path, "rowCount" AS rows, "chainPosition" AS position,
           "prevHash" AS prev_hash, hash, "restoredAt" AS restored_at, action
    FROM audit_log_archives ORDER BY "organizationId" NULLS FIRST, "chainPosition"
""")


@pytest.fixture
def history(databases, template_database, tmp_path, request):
    """A fresh migrated database with the hand-made history, an engine, and an empty archive."""
    url = databases.create(f"audit_{request.node.name}"[:40], template=template_database)
    engine = create_db_engine(url)
    with engine.begin() as conn:
        seeded = seed_history(conn)
    with engine.connect() as conn:
        originals = live_rows(conn)
    yield {**seeded, "url": url, "engine": engine, "archive": Archive.from_url(str(tmp_path / "archive")),
           "originals": originals}  # fmt: skip
    engine.dispose()
    databases.drop(url)


def manifests(engine):
    with engine.connect() as conn:
        return conn.execute(MANIFESTS).mappings().all()


def test_archive_moves_rows_before_the_cutoff_exactly_once_with_secrets_masked(history):
    engine, archive, orgs = history["engine"], history["archive"], history["orgs"]
    result = archive_audit_logs(engine, archive, before=BEFORE)

    assert result.rows_archived == sum(EXPECTED_PIECES.values()) == 89
    found = {(org_key(orgs, m["org"]), m["year"], m["month"]): m["rows"] for m in manifests(engine)}
    assert found == EXPECTED_PIECES
    with engine.connect() as conn:
        assert_exactly_once(conn, archive.root, history["originals"])
        per_org = Counter(
            org_key(orgs, o) for o in conn.execute(text('SELECT "organizationId"::text FROM audit_logs')).scalars()
        )
        assert {key: per_org.get(key, 0) for key in LIVE_AFTER} == LIVE_AFTER
    # Hive layout, zstd, one file per piece, chain links in order
    for m in manifests(engine):
        label = m["org"] or "global"
        assert (
            m["path"]
            == f"audit_logs/organization_id={label}/year={m['year']:04d}/month={m['month']:02d}/part-0001.parquet"
        )
        metadata = pq.ParquetFile(archive.absolute(m["path"])).metadata
        assert metadata.row_group(0).column(0).compression == "ZSTD"
    for org in (None, orgs["a"], orgs["b"]):
        chain = [m for m in manifests(engine) if m["org"] == org]
        assert [m["position"] for m in chain] == list(range(1, len(chain) + 1))
        assert [m["prev_hash"] for m in chain] == [None] + [m["hash"] for m in chain[:-1]]
    # the passwords were masked in the files: rows i % 7 == 3 of each piece (1 + 4 + 4 + 1 + 3 + 1)
    archived = pa.concat_tables(pq.read_table(archive.absolute(m["path"])) for m in manifests(engine))
    values = [json.loads(v) for v in archived["newValue"].to_pylist()]
    assert sum(1 for v in values if "change" in v) == sum(p.masked_values for p in result.pieces) == 14
    assert all(v["change"]["password"] == "***" for v in values if "change" in v)
    assert not any("hunter" in json.dumps(v) for v in values)
    assert verify_archive(engine, archive).clean

    again = archive_audit_logs(engine, archive, before=BEFORE)
    assert again.rows_archived == 0 and again.files_written == 0
    assert len(manifests(engine)) == len(EXPECTED_PIECES)


_LATE_ROW = text("""
    INSERT INTO audit_logs ("organizationId", action, entity, "createdAt")
    VALUES (CAST(:org AS uuid), 'UPDATE', 'orders', :created_at) RETURNING id::text
""")
_LIVE_IDS = text(
    """SELECT id::text FROM audit_logs WHERE "organizationId" = CAST(:org AS uuid) AND "createdAt" < :end"""
)


def _write_late_rows(monkeypatch, engine, org: str, times: int) -> list[str]:
    """After the export of a piece was verified (before its rename and DELETE), another session
    commits a row into the same month, at most `times` times. Returns the ids written."""
    written: list[str] = []
    original = archive_module.checkpoint

    def late_writer(step: str) -> None:
        if step == "verified" and len(written) < times:
            with engine.begin() as conn:
                written.append(
                    conn.execute(_LATE_ROW, {"org": org, "created_at": dt.datetime(2025, 1, 20, 12)}).scalar_one()
                )
        original(step)

    monkeypatch.setattr(archive_module, "checkpoint", late_writer)
    return written


def test_a_row_written_into_the_month_after_its_export_is_not_deleted_but_archived_by_the_next_attempt(
    history, monkeypatch
):
    engine, archive, org = history["engine"], history["archive"], history["orgs"]["a"]
    late = _write_late_rows(monkeypatch, engine, org, times=1)
    result = archive_audit_logs(engine, archive, organization_ids=[org], before=dt.date(2025, 2, 1))

    # attempt 1 exported 30 rows; its DELETE of the range found 31 and rolled back; attempt 2 took all 31
    assert len(late) == 1
    assert [(p.rows, p.attempts) for p in result.pieces] == [(31, 2)]
    (manifest,) = manifests(engine)
    assert manifest["rows"] == 31 and manifest["path"].endswith("part-0001.parquet")
    assert late[0] in pq.read_table(archive.absolute(manifest["path"]))["id"].to_pylist()
    with engine.connect() as conn:
        assert conn.execute(_LIVE_IDS, {"org": org, "end": dt.datetime(2025, 2, 1)}).all() == []
    assert verify_archive(engine, archive).clean


def test_rows_written_into_the_month_at_every_attempt_stay_live_and_a_later_run_archives_them(history, monkeypatch):
    engine, archive, org = history["engine"], history["archive"], history["orgs"]["a"]
    late = _write_late_rows(monkeypatch, engine, org, times=3)
    # the organization is reported as failed (failure isolation), not raised
    failed = archive_audit_logs(engine, archive, organization_ids=[org], before=dt.date(2025, 2, 1)).failures
    assert [(f.organization_id, f.step) for f in failed] == [(org, "audit_archive")]
    assert "kept changing" in failed[0].reason

    # nothing was deleted: the 30 seeded January rows and the 3 late ones are all live, no manifest
    assert len(late) == 3
    assert manifests(engine) == []
    with engine.connect() as conn:
        live = set(conn.execute(_LIVE_IDS, {"org": org, "end": dt.datetime(2025, 2, 1)}).scalars())
    assert len(live) == 33 and set(late) <= live

    monkeypatch.setattr(archive_module, "checkpoint", lambda step: None)
    again = archive_audit_logs(engine, archive, organization_ids=[org], before=dt.date(2025, 2, 1))
    assert [(p.rows, p.attempts) for p in again.pieces] == [(33, 1)]
    (manifest,) = manifests(engine)
    assert set(pq.read_table(archive.absolute(manifest["path"]))["id"].to_pylist()) == live
    assert verify_archive(engine, archive).clean


def test_retention_is_per_organization_and_a_bad_setting_skips_only_that_organization(history, monkeypatch):
    engine, archive, orgs = history["engine"], history["archive"], history["orgs"]
    with engine.begin() as conn:
        conn.execute(
            text("""UPDATE organizations SET settings = CAST(:s AS jsonb) WHERE id = CAST(:id AS uuid)"""),
            {"s": '{"audit": {"retentionMonths": 2}}', "id": orgs["a"]},
        )
        conn.execute(
            text("""UPDATE organizations SET settings = CAST(:s AS jsonb) WHERE id = CAST(:id AS uuid)"""),
            {"s": '{"audit": {"retentionMonths": "soon"}}', "id": orgs["b"]},
        )
    monkeypatch.setenv("AUDIT_RETENTION_MONTHS", "3")
    # as of the end of April 2025: a keeps March and April (2 months), global keeps Feb-April (3)
    assert retention_cutoff(dt.date(2025, 4, 1), 2) == dt.date(2025, 3, 1)
    result = archive_audit_logs(engine, archive, as_of_month=dt.date(2025, 4, 1))
    found = {(org_key(orgs, m["org"]), m["year"], m["month"]): m["rows"] for m in manifests(engine)}
    assert found == {("global", 2025, 1): 4, ("a", 2025, 1): 30, ("a", 2025, 2): 25}
    skipped = {org_key(orgs, s.organization_id): s.skip_reason for s in result.scopes if s.skip_reason}
    assert skipped == {"b": "settings.audit.retentionMonths 'soon' is not a number of months (1-1200)"}
    with engine.connect() as conn:
        b_rows = conn.execute(
            text('SELECT count(*) FROM audit_logs WHERE "organizationId" = CAST(:b AS uuid)'), {"b": orgs["b"]}
        ).scalar_one()
    assert b_rows == 25


def test_only_the_given_organizations_are_archived(history):
    engine, archive, orgs = history["engine"], history["archive"], history["orgs"]
    archive_audit_logs(engine, archive, before=BEFORE, organization_ids=[orgs["b"]])
    assert {(org_key(orgs, m["org"]), m["year"], m["month"]) for m in manifests(engine)} == {
        ("b", 2025, 1),
        ("b", 2025, 3),
    }
    with pytest.raises(InvalidInput, match="unknown organization"):
        archive_audit_logs(engine, archive, before=BEFORE, organization_ids=[str(uuid.uuid4())])


def test_verify_reports_a_tampered_file_a_tampered_manifest_a_removed_link_and_a_stray_file(history):
    engine, archive, orgs = history["engine"], history["archive"], history["orgs"]
    archive_audit_logs(engine, archive, before=BEFORE)
    assert verify_archive(engine, archive).clean
    by_key = {(org_key(orgs, m["org"]), m["year"], m["month"]): m for m in manifests(engine)}

    # a file rewritten with one value changed (valid Parquet, same row count)
    tampered = archive.absolute(by_key[("a", 2025, 2)]["path"])
    table = pq.read_table(tampered)
    actions = table["action"].to_pylist()
    actions[0] = "NOTHING_HAPPENED"
    pq.write_table(table.set_column(table.schema.get_field_index("action"), "action", pa.array(actions)), tampered)
    # a manifest row edited (fewer rows claimed)
    with engine.begin() as conn:
        conn.execute(
            text('UPDATE audit_log_archives SET "rowCount" = 19 WHERE path = :p'), {"p": by_key[("b", 2025, 1)]["path"]}
        )
    report = verify_archive(engine, archive)
    problems = "\n".join(report.problems)
    assert len(report.problems) == 3, problems
    assert f"{by_key[('a', 2025, 2)]['path']}): file SHA-256 differs from the manifest" in problems
    assert f"{by_key[('b', 2025, 1)]['path']}): hash does not match its fields" in problems
    assert "file holds 20 rows" in problems and "the manifest says 19" in problems

    # the global chain: remove its only link -> its file is stray; a's chain: remove a middle link
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log_archives WHERE path = :p"), {"p": by_key[("a", 2025, 1)]["path"]})
    report = verify_archive(engine, archive, [orgs["a"]])
    problems = "\n".join(report.problems)
    assert "position 2, expected 1" in problems
    assert "prevHash does not match the previous link's hash (chain broken)" in problems
    assert f"{by_key[('a', 2025, 1)]['path']} is in no active manifest" in problems


def test_restore_puts_a_month_back_once_and_archive_restore_archive_is_stable(history):
    engine, archive = history["engine"], history["archive"]
    archive_audit_logs(engine, archive, before=BEFORE)
    first = {m["path"]: pq.read_table(archive.absolute(m["path"])) for m in manifests(engine)}
    january = [m for m in manifests(engine) if m["month"] == 1]

    restored = restore_month(engine, archive, dt.date(2025, 1, 1))
    assert restored.rows_restored == 4 + 30 + 20
    assert {f.path for f in restored.files} == {m["path"] for m in january}
    assert not any(archive.absolute(m["path"]).exists() for m in january)
    with engine.connect() as conn:
        assert_exactly_once(conn, archive.root, history["originals"])
    assert restore_month(engine, archive, dt.date(2025, 1, 1)).rows_restored == 0  # nothing archived any more
    assert verify_archive(engine, archive).clean

    again = archive_audit_logs(engine, archive, before=BEFORE)
    assert again.rows_archived == 54 and again.files_written == 3
    rewritten = {m["path"]: m for m in manifests(engine) if m["restored_at"] is None and m["month"] == 1}
    for m in january:
        new_path = m["path"].replace("part-0001", "part-0002")
        assert new_path in rewritten
        assert pq.read_table(archive.absolute(new_path)).equals(first[m["path"]])  # same rows, same order, same bytes
    with engine.connect() as conn:
        assert_exactly_once(conn, archive.root, history["originals"])
    report = verify_archive(engine, archive)
    assert report.clean, report.problems
    # the first files, the three restore links, the three files of the second archive run
    assert sum(chain.links for chain in report.chains) == len(EXPECTED_PIECES) + 3 + 3
    restore_links = [m for m in manifests(engine) if m["action"] == "restore"]
    assert sorted(m["path"] for m in restore_links) == sorted(m["path"] for m in january)
    assert all(m["restored_at"] is None for m in manifests(engine))  # nothing was edited in place


def test_restore_refuses_a_tampered_file_and_changes_nothing(history):
    engine, archive = history["engine"], history["archive"]
    archive_audit_logs(engine, archive, before=BEFORE)
    path = archive.absolute(next(m["path"] for m in manifests(engine) if m["month"] == 2))
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    with engine.connect() as conn:
        before = database_checksum(conn)
    with pytest.raises(Exception, match="differs from its manifest"):
        restore_month(engine, archive, dt.date(2025, 2, 1))
    with engine.connect() as conn:
        assert database_checksum(conn) == before


QUERIES = [
    AuditFilters(),
    AuditFilters(start=dt.datetime(2025, 3, 1), end=dt.datetime(2025, 4, 1)),
    AuditFilters(action="UPDATE", start=dt.datetime(2025, 2, 20), end=dt.datetime(2025, 3, 20)),
    AuditFilters(entity="users", start=dt.datetime(2025, 3, 5)),
    AuditFilters(action="CREATE", entity="orders", end=dt.datetime(2025, 3, 10, 0, 30)),
]


def test_a_query_over_a_half_archived_month_returns_what_it_returned_before_archival(history):
    engine, archive, orgs, users = history["engine"], history["archive"], history["orgs"], history["users"]
    filters = [*QUERIES, AuditFilters(user_id=users["a"], start=dt.datetime(2025, 1, 20))]
    with engine.connect() as conn:
        before = [query_audit_logs(conn, orgs["a"], f, archive=archive, limit=None) for f in filters]
        limited = query_audit_logs(conn, orgs["a"], QUERIES[1], archive=archive, limit=7)
    archive_audit_logs(engine, archive, before=BEFORE)  # March: 5 rows archived, 5 live
    with engine.connect() as conn:
        after = [query_audit_logs(conn, orgs["a"], f, archive=archive, limit=None) for f in filters]
        limited_after = query_audit_logs(conn, orgs["a"], QUERIES[1], archive=archive, limit=7)
    assert len(before[1]) == 10 and len(before[0]) == 30 + 25 + 10 + 8 + 1
    for old, new in zip(before, after, strict=True):
        assert len(new) > 0
        assert old.equals(new)
    assert limited.equals(limited_after) and len(limited) == 7
    assert list(limited["createdAt"]) == sorted(limited["createdAt"], reverse=True)
    everything = after[0]
    assert set(everything["organizationId"].dropna()) == {orgs["a"]}  # never another tenant's or global rows
    secrets = [json.loads(v) for v in everything["newValue"].dropna() if "password" in v]
    assert len(secrets) == 4 + 4 + 1 + 1  # i%7==3 per piece
    assert all(v["change"]["password"] == "***" for v in secrets)


def test_query_rejects_bad_filters():
    with pytest.raises(InvalidInput, match="user id 'x' is not a UUID"):
        AuditFilters(user_id="x").validated()
    with pytest.raises(InvalidInput, match="reversed"):
        AuditFilters(start=dt.datetime(2025, 2, 1), end=dt.datetime(2025, 1, 1)).validated()
    with pytest.raises(ConfigError, match="use a local path, a file:// URL or s3://bucket/prefix"):
        Archive.from_url("gs://bucket/archive")
    assert Archive.from_url("file:///tmp/x").root == Path("/tmp/x").resolve()


def test_the_asset_archives_its_partition_and_its_checks_pass(history, monkeypatch):
    engine, archive = history["engine"], history["archive"]
    monkeypatch.setenv("ARCHIVE_URL", str(archive.root))
    monkeypatch.setenv("AUDIT_RETENTION_MONTHS", "1")
    resources = {
        "postgres": PostgresResource(database_url=history["url"].render_as_string(hide_password=False)),
        "archive_storage": ArchiveResource(),
    }
    with dg.DagsterInstance.ephemeral() as instance:
        # partition 2025-03 (as of its end), one month of retention: cutoff 1 March 2025
        result = dg.materialize([audit_archive], resources=resources, instance=instance, partition_key="2025-03-01")
        assert result.success
        meta = result.asset_materializations_for_node("audit_archive")[0].metadata
        assert meta["rows_archived"].value == 4 + 30 + 25 + 20
        assert meta["files_written"].value == 4
        checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
        assert checks["manifests_match_files_and_deletions"].passed
        assert checks["manifests_match_files_and_deletions"].metadata["manifest_rows"].value == 79
        assert checks["no_live_rows_older_than_retention"].passed

        bad = dg.materialize(
            [audit_archive],
            resources=resources,
            instance=instance,
            partition_key="2025-03-01",
            run_config={"ops": {"audit_archive": {"config": {"organization_ids": ["nope"]}}}},
            raise_on_error=False,
        )
        assert not bad.success
        failure = next(e for e in bad.all_events if e.is_step_failure)
        assert "organization id 'nope' is not a UUID" in failure.step_failure_data.error.message
    assert len(manifests(engine)) == 4


def test_schedule_runs_on_the_first_at_three_in_almaty_for_the_month_that_ended():
    assert audit_archive_schedule.cron_schedule == "0 3 1 * *"
    assert audit_archive_schedule.execution_timezone == "Asia/Almaty"
    context = dg.build_schedule_context(
        scheduled_execution_time=dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.timezone(dt.timedelta(hours=5)))
    )
    request = audit_archive_schedule(context)
    assert request.partition_key == "2026-11-01"


def _cli_env(history, cli_env):
    return {**operator_env(cli_env, history["url"]), "ARCHIVE_URL": f"file://{history['archive'].root}"}


def test_cli_archive_verify_query_restore(history, cli_env):
    env, orgs = _cli_env(history, cli_env), history["orgs"]
    done = prometric("run", "archive", "--before", str(BEFORE), env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "archived 89 rows into 6 file(s)" in done.stdout and "checks: all passed" in done.stdout
    verified = prometric("audit", "verify", env=env)
    assert verified.returncode == 0, verified.stderr
    assert "archive verified: 3 chain(s) intact" in verified.stdout
    queried = prometric(
        "audit", "query", "--org", orgs["a"], "--from", "2025-03-01", "--to", "2025-03-31", "--format", "json", env=env
    )
    assert queried.returncode == 0, queried.stderr
    rows = [json.loads(line) for line in queried.stdout.splitlines()]
    assert len(rows) == 10 and {r["organizationId"] for r in rows} == {orgs["a"]}
    restored = prometric("run", "archive", "--restore", "--month", "2025-03", "--org", orgs["b"], env=env, timeout=300)
    assert restored.returncode == 0, restored.stderr
    assert "restored 5 rows of 2025-03 from 1 file(s)" in restored.stdout
    os.remove(history["archive"].absolute(next(m["path"] for m in manifests(history["engine"]) if m["month"] == 2)))
    broken = prometric("audit", "verify", env=env)
    assert broken.returncode == 1 and "file missing" in broken.stdout
    assert_one_clear_line(broken, "audit verify found 1 problem(s)")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["run", "archive", "--restore", "--month", "2026-13"], "is not a month (YYYY-MM, month 01-12)"),
        (["run", "archive", "--restore"], "--restore needs --month YYYY-MM"),
        (["run", "archive", "--month", "2025-01"], "--month is only for --restore"),
        (["run", "archive", "--before", "2999-01-01"], "is in the future"),
        (["run", "archive", "--before", "2025-02-30"], "is not a date"),
        (["run", "archive", "--org", "not-a-uuid"], "is not a UUID"),
        (["run", "archive", "--org", "4f0c3a2e-1111-4222-8333-944455556666"], "unknown organization"),
        (["run", "archive", "--restore", "--month", "2025-01", "--before", "2025-01-01"], "cannot be combined"),
        (["audit", "query"], "the following arguments are required: --org"),
        (["audit", "query", "--org", "4f0c3a2e-1111-4222-8333-944455556666"], "unknown organization"),
        (["audit", "query", "--org", "ORG", "--entity-id", "42"], "--entity-id '42' is not a UUID"),
        (["audit", "query", "--org", "ORG", "--from", "2025-03-02", "--to", "2025-03-01"], "range is reversed"),
        (["audit", "query", "--org", "ORG", "--limit", "0"], "--limit must be at least 1"),
        (["audit", "verify", "--org", "xyz"], "is not a UUID"),
    ],
)
def test_cli_bad_input_one_clear_line_and_nothing_written(history, cli_env, args, fragment):
    env = _cli_env(history, cli_env)
    args = [history["orgs"]["a"] if a == "ORG" else a for a in args]
    with history["engine"].connect() as conn:
        before = database_checksum(conn)
    result = prometric(*args, env=env)
    assert_one_clear_line(result, fragment)
    with history["engine"].connect() as conn:
        assert database_checksum(conn) == before
    assert not history["archive"].root.exists()


def test_cli_bad_archive_url_is_one_clear_line(history, cli_env):
    env = {**_cli_env(history, cli_env), "ARCHIVE_URL": "gs://bucket/prefix"}
    assert_one_clear_line(prometric("run", "archive", env=env), "use a local path, a file:// URL or s3://bucket/prefix")


def test_audit_query_table_names_job_rows_system_and_shows_no_nan():
    """Rows a job wrote have no user: the live+archived frame carries NaN there (pandas' concat), which the
    terminal table must never print."""
    from prometric_pipelines.commands.audit import audit_table_text

    frame = pd.DataFrame(
        {
            "createdAt": [dt.datetime(2025, 3, 1, 9), dt.datetime(2025, 3, 2, 10)],
            "action": ["UPDATE", "CREATE"],
            "entity": ["order", "payroll"],
            "entityId": ["0b0e6a52-0000-4000-8000-000000000001", float("nan")],
            "userId": ["5a1c2d3e-0000-4000-8000-000000000002", float("nan")],
            "newValue": ['{"status": "PAID"}', None],
        }
    )
    _header, by_user, by_job = audit_table_text(frame).splitlines()
    assert "NaN" not in by_job and "None" not in by_job
    assert by_job.split()[-3:] == ["—", "system", "—"]
    assert "5a1c2d3e-0000-4000-8000-000000000002" in by_user and "system" not in by_user
    assert audit_table_text(frame.iloc[0:0]) == "(no rows)"
