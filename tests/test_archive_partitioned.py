"""The month-partitioned audit_logs and the one-scan archival (issue 21): the archive of a partitioned
month equals the per-organization archive of the same rows in a plain table, retention by DETACH leaves
every row exactly once in archive ∪ live, a month that cannot go whole falls back to DELETE, and rows
with any date land somewhere and move into their month's partition."""

from __future__ import annotations

import datetime as dt
import threading

import pyarrow.parquet as pq
import pytest
from sqlalchemy import text

from prometric_pipelines.audit import archive as archive_module
from prometric_pipelines.audit.archive import ArchiveResult, archive_audit_logs
from prometric_pipelines.audit.storage import Archive
from prometric_pipelines.business_calendar import add_months
from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.db.migrate import downgrade, migrate
from prometric_pipelines.db.roles import JOBS_ROLE
from tests.audit_cases import assert_exactly_once, live_rows
from tests.factories import make_tenant
from tests.faults.isolation import fault

PREVIOUS_REVISION = "20261207000400"  # audit_logs as a plain table (the revision before the partitioning)
PARTITIONED_REVISION = "20261207000500"
CUTOFF = dt.date(2025, 4, 1)  # January-March archived whole, April stays live
MONTHS = (dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1), dt.date(2025, 4, 1))
ROWS_PER_MONTH = {"a": 700, "b": 450, "c": 90, None: 25}

# Rows over the four months; organizations interleaved in time, equal timestamps (ties broken by id),
# secrets one level down (masked by the archive), JSON and user agents with awkward characters.
_ADD_ROWS = text("""
    INSERT INTO audit_logs ("organizationId", "userId", action, entity, "entityId", "oldValue", "newValue",
                            "ipAddress", "userAgent", "createdAt")
    SELECT CAST(:org AS uuid), CAST(:user AS uuid), (ARRAY['CREATE', 'UPDATE', 'DELETE'])[1 + i % 3],
           (ARRAY['orders', 'invoices', 'employees'])[1 + i % 3], gen_random_uuid(),
           CASE WHEN i % 4 = 0 THEN NULL ELSE jsonb_build_object('status', 'OLD' || i, 'n', i) END,
           CASE WHEN i % 11 = 5 THEN jsonb_build_object('change', jsonb_build_object('apiKey', 'ak_live_' || i))
                ELSE jsonb_build_object('status', 'S' || i, 'amount', i * 1.25, 'note', 'Сауле "q", ' || i) END,
           '10.1.' || i % 256 || '.9', CASE WHEN i % 5 = 0 THEN NULL ELSE 'Mozilla, "x"' || chr(10) || i END,
           CAST(:month AS timestamp) + make_interval(secs => (i / 3) * 3600 + :offset)
    FROM generate_series(0, :count - 1) AS i
""")
MANIFESTS = text("""
    SELECT "organizationId"::text AS org, year, month, path, "rowCount" AS row_count,
           "contentChecksum" AS checksum, "minCreatedAt" AS first, "maxCreatedAt" AS last
    FROM audit_log_archives WHERE action = 'archive' ORDER BY 1 NULLS FIRST, 2, 3, 4
""")
PARTITIONS = text("""
    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = CAST('audit_logs' AS regclass) ORDER BY 1
""")


def _seed(conn) -> dict[str | None, str | None]:
    tenants = {key: make_tenant(conn) for key in ("a", "b", "c")}
    orgs: dict[str | None, str | None] = {key: str(t["organization"]["id"]) for key, t in tenants.items()}
    orgs[None] = None
    user = str(tenants["a"]["owner"]["id"])
    for month in MONTHS:
        for offset, (key, count) in enumerate(ROWS_PER_MONTH.items()):
            params = {"org": orgs[key], "user": user, "month": month, "count": count, "offset": offset % 2}
            conn.execute(_ADD_ROWS, params)
    return orgs


@pytest.fixture(scope="module")
def seeded(databases, template_database):
    """A partitioned database with the rows; the monthly partitions made by an archive run's first step."""
    url = databases.create("archive_partitioned_seed", template=template_database)
    engine = create_db_engine(url)
    with engine.begin() as conn:
        orgs = _seed(conn)
        in_default = conn.execute(text("SELECT count(*) FROM audit_logs_default")).scalar_one()
    engine.dispose()
    yield url, orgs, in_default
    databases.drop(url)


def _parquet_rows(root, path) -> list[dict]:
    return pq.read_table(root / path).to_pylist()


def test_rows_with_old_dates_wait_in_the_default_partition_and_move_into_their_month(databases, seeded):
    template, _orgs, in_default = seeded
    assert in_default == 4 * sum(ROWS_PER_MONTH.values())  # 2025 has no partitions in a fresh database
    url = databases.create("archive_partitioned_ensure", template=template.database)
    engine = create_db_engine(url)
    try:
        with engine.begin() as conn:
            before = live_rows(conn)
            created = conn.execute(text("SELECT prometric_audit_ensure_partitions(3)")).scalar_one()
            assert created == 4  # the four months of 2025; the current ones exist since the migration
            assert conn.execute(text("SELECT count(*) FROM audit_logs_default")).scalar_one() == 0
            names = set(conn.execute(PARTITIONS).scalars())
            assert {"audit_logs_y2025m01", "audit_logs_y2025m02", "audit_logs_y2025m03", "audit_logs_y2025m04"} <= names
            per_month = conn.execute(text("""SELECT count(*) FROM audit_logs_y2025m02""")).scalar_one()
            assert per_month == sum(ROWS_PER_MONTH.values())
            assert live_rows(conn) == before  # moved, not changed
            assert conn.execute(text("SELECT prometric_audit_ensure_partitions(3)")).scalar_one() == 0
    finally:
        engine.dispose()
        databases.drop(url)


def test_the_archive_of_partitioned_months_equals_the_per_organization_archive_of_a_plain_table(
    databases, seeded, tmp_path
):
    template, orgs, _ = seeded
    partitioned_url = databases.create("archive_partitioned_fast", template=template.database)
    plain_url = databases.create("archive_partitioned_plain", template=template.database)
    fast, plain = create_db_engine(partitioned_url), create_db_engine(plain_url)
    try:
        downgrade(plain, PREVIOUS_REVISION)  # the same rows, in the plain table of the previous revision
        with plain.connect() as conn:
            originals = live_rows(conn)
            assert conn.execute(text("SELECT count(*) FROM pg_partitioned_table")).scalar_one() == 0
        with fast.connect() as conn:
            assert live_rows(conn) == originals

        # the fast path: one export per month for all organizations, retention by DETACH + DROP
        fast_root = tmp_path / "fast"
        result = archive_audit_logs(fast, Archive.from_url(str(fast_root)), before=CUTOFF)
        assert not result.failures
        assert result.rows_archived == 3 * sum(ROWS_PER_MONTH.values())
        with fast.connect() as conn:
            names = set(conn.execute(PARTITIONS).scalars())
            assert not {"audit_logs_y2025m01", "audit_logs_y2025m02", "audit_logs_y2025m03"} & names  # dropped
            assert "audit_logs_y2025m04" in names
            assert_exactly_once(conn, fast_root, originals)
            fast_manifests = conn.execute(MANIFESTS).mappings().all()
            fast_live = set(live_rows(conn))

        # the reference: the per-organization protocol (export, verify, DELETE) month by month
        plain_root = tmp_path / "plain"
        reference = ArchiveResult(run_key="reference", scopes=[])
        plain_archive = Archive.from_url(str(plain_root))
        for month in MONTHS[:3]:
            for org in orgs.values():
                start = dt.datetime.combine(month, dt.time())
                end = dt.datetime.combine(add_months(month, 1), dt.time())
                reference.pieces.append(archive_module._archive_piece(plain, plain_archive, org, start, end, reference))
        with plain.connect() as conn:
            assert_exactly_once(conn, plain_root, originals)
            plain_manifests = conn.execute(MANIFESTS).mappings().all()
            assert set(live_rows(conn)) == fast_live

        assert len(fast_manifests) == len(plain_manifests) == 3 * len(ROWS_PER_MONTH)
        assert [dict(m) for m in fast_manifests] == [dict(m) for m in plain_manifests]  # paths, counts, checksums
        for manifest in fast_manifests:  # the same rows, in the same order, masked the same way
            assert _parquet_rows(fast_root, manifest.path) == _parquet_rows(plain_root, manifest.path)
            assert manifest.row_count == ROWS_PER_MONTH[next(k for k, v in orgs.items() if v == manifest.org)]
        masked = [p for p in result.pieces if p.masked_values]
        assert masked and sum(p.masked_values for p in masked) == sum(p.masked_values for p in reference.pieces)
    finally:
        fast.dispose()
        plain.dispose()
        databases.drop(partitioned_url)
        databases.drop(plain_url)


def test_a_month_that_cannot_go_whole_falls_back_to_delete_and_the_next_full_run_drops_it(
    databases, seeded, tmp_path, server_logins
):
    template, orgs, _ = seeded
    url = databases.create("archive_partitioned_partial", template=template.database)
    owner = create_db_engine(url)
    jobs = create_db_engine(server_logins(owner)[JOBS_ROLE].set(database=url.database))
    root = tmp_path / "archive"
    archive = Archive.from_url(str(root))
    try:
        with owner.connect() as conn:
            originals = live_rows(conn)
        # one organization: its rows go by DELETE, the partitions stay for the others
        first = archive_audit_logs(jobs, archive, organization_ids=[orgs["a"]], before=CUTOFF)
        assert first.rows_archived == 3 * ROWS_PER_MONTH["a"] and not first.failures
        with owner.connect() as conn:
            assert "audit_logs_y2025m02" in set(conn.execute(PARTITIONS).scalars())
            assert conn.execute(text("SELECT count(*) FROM audit_logs_y2025m02")).scalar_one() == (
                sum(ROWS_PER_MONTH.values()) - ROWS_PER_MONTH["a"]
            )
            assert_exactly_once(conn, root, originals)
        # the drop function refuses a month whose rows the named run did not archive, and changes nothing
        with jobs.begin() as conn:
            refused = conn.execute(text("SELECT prometric_audit_drop_archived_month(DATE '2025-02-01', 'no-such-run')"))
            assert refused.scalar_one() is None
        with owner.connect() as conn:
            assert "audit_logs_y2025m02" in set(conn.execute(PARTITIONS).scalars())
        # everyone else: the months hold only their rows now, so they go whole
        second = archive_audit_logs(jobs, archive, before=CUTOFF)
        assert second.rows_archived == 3 * (sum(ROWS_PER_MONTH.values()) - ROWS_PER_MONTH["a"])
        with owner.connect() as conn:
            names = set(conn.execute(PARTITIONS).scalars())
            assert not {"audit_logs_y2025m01", "audit_logs_y2025m02", "audit_logs_y2025m03"} & names
            assert_exactly_once(conn, root, originals)
            counts = conn.execute(text("SELECT count(*) FROM audit_log_archives WHERE action = 'archive'")).scalar()
            assert counts == 3 * len(ROWS_PER_MONTH)  # one file per organization and month, none twice
    finally:
        jobs.dispose()
        owner.dispose()
        databases.drop(url)


def test_the_migration_keeps_rows_indexes_trigger_policies_and_grants_down_and_up(databases, seeded):
    template, _orgs, _ = seeded
    url = databases.create("archive_partitioned_migration", template=template.database)
    engine = create_db_engine(url)
    catalog = text("""
        SELECT (SELECT array_agg(i.relname::text ORDER BY i.relname) FROM pg_index x
                JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = CAST('audit_logs' AS regclass)) AS indexes,
               (SELECT array_agg(tgname::text ORDER BY tgname) FROM pg_trigger
                WHERE tgrelid = CAST('audit_logs' AS regclass) AND NOT tgisinternal) AS triggers,
               (SELECT array_agg(policyname || ':' || qual ORDER BY policyname) FROM pg_policies
                WHERE tablename = 'audit_logs') AS policies,
               (SELECT array_agg(conname::text ORDER BY conname) FROM pg_constraint
                WHERE conrelid = CAST('audit_logs' AS regclass) AND contype = 'f') AS foreign_keys,
               (SELECT relacl::text FROM pg_class WHERE oid = CAST('audit_logs' AS regclass)) AS grants,
               (SELECT relrowsecurity FROM pg_class WHERE oid = CAST('audit_logs' AS regclass)) AS row_security
    """)
    try:
        with engine.connect() as conn:
            at_head = conn.execute(catalog).mappings().one()
            rows = live_rows(conn, masked=False)
        # this migration the newest: later ones (e.g. the maintenance login's read policy) add their own
        downgrade(engine, PARTITIONED_REVISION)
        with engine.connect() as conn:
            partitioned = conn.execute(catalog).mappings().one()
        assert "audit_logs_mask_secrets" in partitioned["triggers"] and partitioned["row_security"]
        downgrade(engine, PREVIOUS_REVISION)
        with engine.connect() as conn:
            plain = conn.execute(catalog).mappings().one()
            assert live_rows(conn, masked=False) == rows
        assert plain == partitioned
        migrate(engine)
        with engine.connect() as conn:
            assert conn.execute(catalog).mappings().one() == at_head
            assert live_rows(conn, masked=False) == rows
            # the trigger still masks what is written, now through the partitions
            inserted = conn.execute(
                text("""INSERT INTO audit_logs (action, entity, "newValue", "createdAt")
                        VALUES ('UPDATE', 'users', '{"password": "$2b$12$abcdefghijklmnopqrstuv"}', '2019-05-02')
                        RETURNING "newValue"->>'password'""")
            ).scalar_one()
            assert inserted == "***"
            conn.rollback()
    finally:
        engine.dispose()
        databases.drop(url)


def _archive_files(root) -> dict[str, pq.Table]:
    return {str(p.relative_to(root)): pq.read_table(p) for p in sorted(root.rglob("*.parquet"))}


def test_months_prepared_two_at_a_time_give_exactly_the_files_and_manifests_of_one_at_a_time(
    databases, seeded, tmp_path, monkeypatch
):
    template, _orgs, _ = seeded
    parallel_url = databases.create("archive_partitioned_parallel", template=template.database)
    serial_url = databases.create("archive_partitioned_serial", template=template.database)
    parallel, serial = create_db_engine(parallel_url), create_db_engine(serial_url)
    prepare_month = archive_module._prepare_month
    both_months = threading.Barrier(2, timeout=60)

    def prepare_together(engine, archive, month_start, scopes, gate=None):
        if month_start < MONTHS[2]:  # January and February: both must be under way at once, or this times out
            both_months.wait()
        return prepare_month(engine, archive, month_start, scopes, gate)

    try:
        with parallel.connect() as conn:
            originals = live_rows(conn)
        monkeypatch.setattr(archive_module, "_prepare_month", prepare_together)
        two = archive_audit_logs(parallel, Archive.from_url(str(tmp_path / "parallel")), before=CUTOFF)
        monkeypatch.setattr(archive_module, "_prepare_month", prepare_month)
        monkeypatch.setattr(archive_module, "PARALLEL_MONTHS", 1)
        one = archive_audit_logs(serial, Archive.from_url(str(tmp_path / "serial")), before=CUTOFF)

        assert not two.failures and not one.failures
        assert two.rows_archived == one.rows_archived == 3 * sum(ROWS_PER_MONTH.values())
        # pieces reported in the same (month, organization) order: step 4 ran month by month
        assert [(p.year, p.month, p.organization_id, p.rows, p.path) for p in two.pieces] == [
            (p.year, p.month, p.organization_id, p.rows, p.path) for p in one.pieces
        ]
        chain = text("""SELECT "organizationId"::text, "chainPosition", year, month, path, "rowCount",
                               "contentChecksum", "minCreatedAt", "maxCreatedAt", "fileSha256"
                        FROM audit_log_archives ORDER BY 1 NULLS FIRST, 2""")
        with parallel.connect() as a, serial.connect() as b:
            assert a.execute(chain).all() == b.execute(chain).all()  # same links, same files, same chain order
            assert set(live_rows(a)) == set(live_rows(b))
            assert a.execute(PARTITIONS).all() == b.execute(PARTITIONS).all()  # the three months dropped in both
            assert_exactly_once(a, tmp_path / "parallel", originals)
        files = _archive_files(tmp_path / "parallel")
        assert len(files) == 3 * len(ROWS_PER_MONTH)
        assert files.keys() == _archive_files(tmp_path / "serial").keys()
        for path, table in _archive_files(tmp_path / "serial").items():
            assert files[path].equals(table), path
    finally:
        parallel.dispose()
        serial.dispose()
        databases.drop(parallel_url)
        databases.drop(serial_url)


def test_an_organization_failing_in_a_month_leaves_no_file_of_the_next_month_prepared_meanwhile(
    databases, seeded, tmp_path
):
    """January's manifest of one organization is refused while February and March are prepared: its
    February and March files (published, no manifest) are removed, its rows stay live, the others go."""
    template, orgs, _ = seeded
    url = databases.create("archive_partitioned_failing", template=template.database)
    engine = create_db_engine(url)
    root = tmp_path / "archive"
    bad = orgs["b"]
    try:
        with engine.connect() as conn:
            originals = live_rows(conn)
        with fault(engine, "audit_log_archives", bad, when="NEW.month = 1", message="injected: January refused"):
            result = archive_audit_logs(engine, Archive.from_url(str(root)), before=CUTOFF)
        assert [(f.organization_id, f.reason) for f in result.failures] == [(bad, "injected: January refused")]
        assert sorted((p.month, p.organization_id or "") for p in result.pieces) == sorted(
            (month, org or "") for month in (1, 2, 3) for key, org in orgs.items() if key != "b"
        )
        bad_files = sorted(str(p.relative_to(root)) for p in root.rglob("*.parquet") if f"={bad}/" in str(p))
        assert bad_files == [f"audit_logs/organization_id={bad}/year=2025/month=01/part-0001.parquet"]
        with engine.connect() as conn:
            live = conn.execute(
                text("""SELECT count(*) FROM audit_logs WHERE "organizationId" = CAST(:org AS uuid)"""), {"org": bad}
            ).scalar_one()
            assert live == 4 * ROWS_PER_MONTH["b"]  # none of its rows archived
            assert (
                conn.execute(
                    text("""SELECT count(*) FROM audit_log_archives WHERE "organizationId" = CAST(:org AS uuid)"""),
                    {"org": bad},
                ).scalar_one()
                == 0
            )
            assert_exactly_once(conn, root, originals)
    finally:
        engine.dispose()
        databases.drop(url)
