"""Statistics, vacuum, reindex and health on the real server, through the real Dagster assets.

Tables are bloated by the tests themselves (bulk update/delete with autovacuum off for them, so the
server does not clean up before the job does); the numbers asserted are read back from PostgreSQL's
own catalog and statistics views, not from the job's report.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable

import dagster as dg
import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL, Engine

from prometric_pipelines.config import libpq_url
from prometric_pipelines.defs.maintenance.assets import database_health, reindex, table_statistics, vacuum
from prometric_pipelines.lib.resources import PostgresResource
from prometric_pipelines.maintenance.health import take_snapshot
from prometric_pipelines.run_failures import first_step_failure
from tests.waiting import wait_for

PROBE_ROWS = 200_000


@pytest.fixture(scope="module")
def maintenance_url(engine: Engine, server_logins: Callable[[Engine], dict[str, URL]]) -> URL:
    """The maintenance login on the module's database: every asset here runs as it, never as the owner."""
    from prometric_pipelines.db.roles import MAINTENANCE_ROLE

    return server_logins(engine)[MAINTENANCE_ROLE]


def _run(asset: dg.AssetsDefinition, url: URL, config: dict | None = None, *, raise_on_error: bool = True):
    """Materializes one maintenance asset as `url`'s login (the maintenance login in every test here)."""
    return dg.materialize(
        [asset],
        resources={"maintenance_postgres": PostgresResource(database_url=libpq_url(url))},
        run_config={"ops": {asset.op.name: {"config": config or {}}}},
        raise_on_error=raise_on_error,
    )


def _metadata(result: dg.ExecuteInProcessResult, asset: str) -> dict:
    return {k: v.value for k, v in result.asset_materializations_for_node(asset)[0].metadata.items()}


def _table_stats(engine: Engine, table: str):
    with engine.connect() as conn:
        return (
            conn.execute(
                text("""SELECT s.n_live_tup, s.n_dead_tup, s.n_mod_since_analyze, s.last_analyze, s.vacuum_count,
                               c.reltuples, pg_relation_filenode(c.oid) AS filenode,
                               pg_total_relation_size(c.oid) AS total_bytes
                        FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
                        WHERE s.relname = :table"""),
                {"table": table},
            )
            .mappings()
            .one()
        )


def _flushed(engine: Engine, table: str, column: str, at_least: int) -> None:
    """Statistics reach other sessions when a backend flushes them (about once a second while idle)."""
    wait_for(lambda: _table_stats(engine, table)[column] >= at_least, timeout=30, what=f"{table}.{column}")


def _write_and_flush(engine: Engine, *statements: str) -> None:
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_stat_force_next_flush()"))
        conn.commit()


# ---- ANALYZE ------------------------------------------------------------------------------------


def test_table_statistics_analyzes_the_changed_tables_only_and_updates_last_analyze(
    engine, database_url, maintenance_url
):
    _write_and_flush(
        engine,
        # autovacuum's own ANALYZE would otherwise race the job on a loaded machine (seen in CI-like runs)
        "ALTER TABLE fx_rates SET (autovacuum_enabled = false)",
        """INSERT INTO fx_rates (currency, date, "rateToKzt")
           SELECT 'USD', DATE '2020-01-01' + n, 470 + n % 30 FROM generate_series(0, 799) AS n""",
    )
    _flushed(engine, "fx_rates", "n_mod_since_analyze", 800)
    before = _table_stats(engine, "fx_rates")
    assert before["last_analyze"] is None and before["reltuples"] == -1  # never analysed
    untouched = _table_stats(engine, "orders")

    result = _run(table_statistics, maintenance_url)

    meta = _metadata(result, "table_statistics")
    assert meta["tables_analyzed"] == 1 and meta["rows_changed"] == 800
    assert "fx_rates" in meta["analyzed"]
    after = _table_stats(engine, "fx_rates")
    assert after["last_analyze"] is not None
    assert after["reltuples"] == 800 and after["n_mod_since_analyze"] == 0
    assert _table_stats(engine, "orders")["last_analyze"] == untouched["last_analyze"] is None

    # nothing changed since: the next run analyses nothing and leaves last_analyze as it is
    again = _metadata(_run(table_statistics, maintenance_url), "table_statistics")
    assert again["tables_analyzed"] == 0
    assert _table_stats(engine, "fx_rates")["last_analyze"] == after["last_analyze"]


def test_table_statistics_refuses_an_unknown_table_in_one_line(database_url, maintenance_url):
    result = _run(table_statistics, maintenance_url, {"tables": ["no_such_table"]}, raise_on_error=False)
    assert not result.success
    assert first_step_failure(result.all_events) == (
        "table_statistics",
        "no such table in the operational schema: no_such_table",
    )


# ---- VACUUM -------------------------------------------------------------------------------------


def _bloat_kpi_definitions(engine: Engine) -> None:
    """20,000 rows, each updated once: 20,000 dead tuples (50%) that autovacuum is told to leave alone."""
    _write_and_flush(
        engine,
        "ALTER TABLE kpi_definitions SET (autovacuum_enabled = false)",
        "TRUNCATE kpi_definitions",
        """INSERT INTO kpi_definitions (name, formula, "organizationId")
           SELECT 'kpi ' || n, 'orders_revenue', (SELECT id FROM organizations LIMIT 1)
           FROM generate_series(1, 20000) AS n""",
    )
    _write_and_flush(engine, "UPDATE kpi_definitions SET formula = 'orders_count'")
    _flushed(engine, "kpi_definitions", "n_dead_tup", 20_000)


@pytest.fixture(scope="module")
def organization(engine):
    from tests.factories import make_tenant

    with engine.begin() as conn:
        return make_tenant(conn)["organization"]


def test_vacuum_picks_the_bloated_table_and_its_dead_tuples_drop_without_a_rewrite(
    engine, database_url, organization, maintenance_url
):
    _bloat_kpi_definitions(engine)
    before = _table_stats(engine, "kpi_definitions")
    assert before["n_dead_tup"] >= 20_000

    meta = _metadata(_run(vacuum, maintenance_url), "vacuum")

    assert meta["mode"] == "VACUUM" and meta["tables_vacuumed"] == 1  # the only table past 10% and 1,000 dead
    assert "kpi_definitions" in meta["vacuumed"]
    after = _table_stats(engine, "kpi_definitions")
    assert after["n_dead_tup"] == 0
    assert after["vacuum_count"] == before["vacuum_count"] + 1
    assert after["filenode"] == before["filenode"]  # plain VACUUM: the table was not rewritten (no FULL)
    assert meta["dead_tuples_removed"] >= 20_000


def test_vacuum_full_only_when_the_run_config_asks_and_it_gives_space_back(
    engine, database_url, organization, maintenance_url
):
    _bloat_kpi_definitions(engine)
    _write_and_flush(engine, "DELETE FROM kpi_definitions WHERE name <> 'kpi 1'")
    _flushed(engine, "kpi_definitions", "n_dead_tup", 39_999)
    before = _table_stats(engine, "kpi_definitions")

    meta = _metadata(_run(vacuum, maintenance_url, {"full": True, "tables": ["kpi_definitions"]}), "vacuum")

    after = _table_stats(engine, "kpi_definitions")
    assert meta["mode"] == "VACUUM FULL" and meta["tables_vacuumed"] == 1
    assert after["filenode"] != before["filenode"]  # rewritten
    assert after["total_bytes"] < before["total_bytes"] / 10  # one row left of 40,000 versions
    assert meta["bytes_freed"] == before["total_bytes"] - after["total_bytes"]


# ---- REINDEX CONCURRENTLY -----------------------------------------------------------------------


@pytest.fixture
def bloated_probe(engine) -> Engine:
    """A table with two indexes 90% empty: rows deleted in a scattered pattern, then vacuumed and analysed
    (leaf pages keep one row in ten: nothing for VACUUM to give back, everything for a rebuild)."""
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS maintenance_probe"))
        conn.execute(
            text("""CREATE TABLE maintenance_probe (id bigint PRIMARY KEY, payload text NOT NULL, touched int)
                    WITH (autovacuum_enabled = false)""")
        )
        conn.execute(
            text(f"""INSERT INTO maintenance_probe (id, payload)
                     SELECT n, md5(n::text) FROM generate_series(1, {PROBE_ROWS}) AS n""")
        )
        conn.execute(text("CREATE INDEX idx_maintenance_probe_payload ON maintenance_probe (payload)"))
        conn.execute(text("DELETE FROM maintenance_probe WHERE id % 10 <> 0"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE maintenance_probe"))
    yield engine
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS maintenance_probe"))


def _index(engine: Engine, name: str):
    with engine.connect() as conn:
        return (
            conn.execute(
                text("""SELECT pg_relation_size(c.oid) AS bytes, pg_relation_filenode(c.oid) AS filenode, i.indisvalid
                        FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid WHERE c.relname = :name"""),
                {"name": name},
            )
            .mappings()
            .one()
        )


def _invalid_indexes(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                text("SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE NOT i.indisvalid")
            ).scalars()
        )


class TableTraffic(threading.Thread):
    """Another client reading and writing the table in a loop, each statement in its own transaction with
    lock_timeout = 1 s: any lock wait over a second becomes an error, which the test then sees."""

    def __init__(self, database_url: URL) -> None:
        super().__init__(daemon=True)
        self.url = libpq_url(database_url)
        self.stop = threading.Event()
        self.errors: list[str] = []
        self.operations = 0

    def run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("SET lock_timeout = '1s'")
            n = PROBE_ROWS
            while not self.stop.is_set():
                n += 1
                try:
                    conn.execute("INSERT INTO maintenance_probe (id, payload) VALUES (%s, md5(%s::text))", (n, n))
                    conn.execute(
                        "UPDATE maintenance_probe SET touched = %s WHERE id = %s", (n, (n % PROBE_ROWS) // 10 * 10)
                    )
                    conn.execute("SELECT count(*) FROM maintenance_probe WHERE payload = md5(%s::text)", (n - 1,))
                    self.operations += 3
                except psycopg.Error as error:
                    self.errors.append(str(error).splitlines()[0])


def test_reindex_rebuilds_bloated_indexes_concurrently_while_another_client_reads_and_writes(
    bloated_probe, database_url, maintenance_url
):
    engine = bloated_probe
    before = {name: _index(engine, name) for name in ("maintenance_probe_pkey", "idx_maintenance_probe_payload")}
    traffic = TableTraffic(database_url)
    traffic.start()
    wait_for(lambda: traffic.operations > 30, timeout=30, what="the other client's first statements")
    at_start = traffic.operations
    try:
        # 1 MB of estimated bloat: the migrated ERP tables hold kilobytes, only the probe's indexes qualify
        meta = _metadata(_run(reindex, maintenance_url, {"min_bloat_bytes": 1_000_000}), "reindex")
        during = traffic.operations - at_start
    finally:
        traffic.stop.set()
        traffic.join(timeout=30)

    assert traffic.errors == []  # no statement of the other client failed or waited a second for a lock
    assert during > 0  # and it kept working while the indexes were rebuilt
    assert meta["indexes_rebuilt"] == 2 and meta["indexes_failed"] == {}
    for name, old in before.items():
        assert name in meta["rebuilt"]
        new = _index(engine, name)
        assert new["indisvalid"] and new["filenode"] != old["filenode"]
        assert new["bytes"] < old["bytes"] * 0.4  # ~10% of the rows are left
    assert _invalid_indexes(engine) == []


def test_a_rebuild_that_cannot_get_its_lock_fails_cleanly_and_the_rerun_succeeds(
    bloated_probe, database_url, maintenance_url
):
    engine = bloated_probe
    old = _index(engine, "idx_maintenance_probe_payload")
    # an open write transaction: REINDEX CONCURRENTLY builds its copy, then waits for this writer to finish
    blocker = psycopg.connect(libpq_url(database_url))
    blocker.execute("UPDATE maintenance_probe SET touched = 1 WHERE id = 10")
    try:
        result = _run(
            reindex,
            maintenance_url,
            {"min_bloat_bytes": 1_000_000, "tables": ["maintenance_probe"], "lock_timeout_seconds": 1},
            raise_on_error=False,
        )
    finally:
        blocker.rollback()
        blocker.close()

    assert not result.success
    step, message = first_step_failure(result.all_events)
    assert step == "reindex"
    assert message.startswith(
        "2 index rebuild(s) failed (idx_maintenance_probe_payload: lock not granted in time; "
        "maintenance_probe_pkey: lock not granted in time); the old indexes keep serving"
    )
    current = _index(engine, "idx_maintenance_probe_payload")
    assert current["indisvalid"] and current["filenode"] == old["filenode"]  # the old index keeps serving
    # the half-built copies could not be dropped while the writer ran either: they are named, left invalid
    leftovers = ["idx_maintenance_probe_payload_ccnew", "maintenance_probe_pkey_ccnew"]
    assert sorted(_invalid_indexes(engine)) == leftovers
    assert all(name in message for name in leftovers)

    rerun = _metadata(_run(reindex, maintenance_url, {"min_bloat_bytes": 1_000_000}), "reindex")
    assert sorted(rerun["leftovers_dropped"]) == [
        "public.idx_maintenance_probe_payload_ccnew",
        "public.maintenance_probe_pkey_ccnew",
    ]
    assert _invalid_indexes(engine) == []
    assert rerun["indexes_rebuilt"] == 2
    assert _index(engine, "idx_maintenance_probe_payload")["filenode"] != old["filenode"]


# ---- health -------------------------------------------------------------------------------------

# The seed's monitoring queries (docs/prometric-erp-schema.md, "Performance Monitoring"), as written there
# except for what PostgreSQL needs: pg_stat_user_indexes names its columns relname/indexrelname (the seed's
# tablename/indexname do not exist), and the camelCase-free table names need no quote_ident but get it.
SEED_TABLE_SIZES = """
    SELECT schemaname, tablename,
           pg_size_pretty(pg_total_relation_size(quote_ident(schemaname) || '.' || quote_ident(tablename))) AS size,
           pg_total_relation_size(quote_ident(schemaname) || '.' || quote_ident(tablename)) AS bytes
    FROM pg_tables
    WHERE schemaname = 'public'
    ORDER BY pg_total_relation_size(quote_ident(schemaname) || '.' || quote_ident(tablename)) DESC
"""
SEED_INDEX_USAGE = """
    SELECT schemaname, relname AS tablename, indexrelname AS indexname, idx_scan, idx_tup_read, idx_tup_fetch
    FROM pg_stat_user_indexes
    ORDER BY idx_scan DESC
"""
HEALTH_TABLES = ("maintenance_health_snapshots", "maintenance_health_tables", "maintenance_health_indexes",
                 "maintenance_health_queries")  # fmt: skip


def test_health_numbers_equal_the_seeds_monitoring_queries_run_directly(
    engine, database_url, organization, maintenance_url
):
    # some index use to see: an index scan of organizations' primary key, flushed to the statistics
    with engine.connect() as conn:
        conn.execute(text("SET enable_seqscan = off"))
        conn.execute(text("SELECT name FROM organizations WHERE id = :id"), {"id": organization["id"]}).all()
        conn.execute(text("SELECT pg_stat_force_next_flush()"))
        conn.commit()
    wait_for(
        lambda: (
            engine.connect()
            .execute(text("SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 'organizations_pkey'"))
            .scalar_one()
        ),
        timeout=30,
        what="the index scan in the statistics",
    )

    meta = _metadata(_run(database_health, maintenance_url), "database_health")

    with engine.connect() as conn:
        snapshot_id = conn.execute(
            text('SELECT id FROM maintenance_health_snapshots ORDER BY "takenAt" DESC LIMIT 1')
        ).scalar_one()
        stored_tables = {
            r.tableName: r
            for r in conn.execute(
                text('SELECT * FROM maintenance_health_tables WHERE "snapshotId" = :id'), {"id": snapshot_id}
            )
        }
        stored_indexes = {
            r.indexName: r
            for r in conn.execute(
                text('SELECT * FROM maintenance_health_indexes WHERE "snapshotId" = :id'), {"id": snapshot_id}
            )
        }
        seed_sizes = conn.execute(text(SEED_TABLE_SIZES)).all()
        seed_usage = conn.execute(text(SEED_INDEX_USAGE)).all()
        pretty = dict(
            conn.execute(
                text('SELECT "tableName", pg_size_pretty("totalBytes") FROM maintenance_health_tables '
                     'WHERE "snapshotId" = :id'),
                {"id": snapshot_id},
            ).all()
        )  # fmt: skip

    assert meta["snapshot_id"] == str(snapshot_id)
    # the health tables themselves grew by the snapshot's own rows: every other table must match exactly
    compared = [row for row in seed_sizes if row.tablename not in HEALTH_TABLES]
    assert len(compared) == len(seed_sizes) - len(HEALTH_TABLES) >= 45
    for row in compared:
        assert stored_tables[row.tablename].totalBytes == row.bytes, row.tablename
        assert pretty[row.tablename] == row.size, row.tablename
    usage = [row for row in seed_usage if row.tablename not in HEALTH_TABLES]
    assert len(usage) >= 100
    for row in usage:
        stored = stored_indexes[row.indexname]
        assert (stored.tableName, stored.indexScans, stored.tuplesRead, stored.tuplesFetched) == (
            row.tablename, row.idx_scan, row.idx_tup_read, row.idx_tup_fetch
        ), row.indexname  # fmt: skip
    assert stored_indexes["organizations_pkey"].indexScans >= 1
    assert not stored_indexes["organizations_pkey"].unused  # scanned, and a primary key anyway
    # never scanned and enforcing nothing: unused; never scanned but unique: kept (it enforces a constraint)
    assert stored_indexes["idx_orders_order_date"].indexScans == 0 and stored_indexes["idx_orders_order_date"].unused
    assert stored_indexes["orders_pkey"].indexScans == 0 and not stored_indexes["orders_pkey"].unused
    assert meta["unused_indexes"] == sum(1 for i in stored_indexes.values() if i.unused)


def test_health_lists_a_long_running_query_and_prunes_old_snapshots(engine, database_url, maintenance_url):
    import datetime as dt

    old = take_snapshot(engine, run_key="test-old", now=dt.datetime.now(dt.UTC) - dt.timedelta(days=45))
    sleeper = psycopg.connect(libpq_url(database_url), autocommit=True)
    pid = sleeper.info.backend_pid

    def sleep() -> None:
        with contextlib.suppress(psycopg.errors.QueryCanceled):  # cancelled below, once the snapshot is taken
            sleeper.execute("SELECT pg_sleep(120)")

    thread = threading.Thread(target=sleep, daemon=True)
    thread.start()
    time.sleep(2.0)  # the query must have run longer than the 1 s threshold when the snapshot looks
    try:
        meta = _metadata(_run(database_health, maintenance_url, {"long_running_seconds": 1}), "database_health")
    finally:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_cancel_backend(:pid)"), {"pid": pid})
        thread.join(timeout=10)
        sleeper.close()

    assert meta["long_running_queries"] == 1, meta
    with engine.connect() as conn:
        rows = conn.execute(
            text('SELECT pid, query, "durationSeconds" FROM maintenance_health_queries WHERE "snapshotId" = :id'),
            {"id": meta["snapshot_id"]},
        ).all()
        left = conn.execute(
            text("SELECT count(*) FROM maintenance_health_snapshots WHERE id = :id"), {"id": old.snapshot["id"]}
        ).scalar_one()
    assert [(r.pid, r.query) for r in rows] == [(pid, "SELECT pg_sleep(120)")]
    assert rows[0].durationSeconds >= 1
    assert left == 0  # 45 days old, past the 30-day retention: pruned by the run
