"""The dashboards' shared single-flight cache (dashboards/lib/shared_cache.py, queries.page_data).

Plain: one read for N concurrent identical requests, copies per caller, errors never cached, TTL and
size bounds. On the dashboards' `demo` data (tests/dashboards_data.py), through the reader login: what
the cache answers equals the live queries of the same viewer, it never crosses organizations, workspaces
or HR levels, viewers of one scope share one read, and a newer metrics version is never answered from
an older entry.
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
import time
import uuid
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import text

from prometric_pipelines.config import PROJECT_ROOT
from tests.factories import make

sys.path.insert(0, str(PROJECT_ROOT / "dashboards"))  # the app's `lib`, as Streamlit imports it

from lib import queries
from lib.access import Scope
from lib.filters import from_query
from lib.shared_cache import SingleFlightCache

OWNER_PAGES = ("overview", "sales", "finance", "inventory", "hr", "operations", "audit", "data_quality")


def wait_until(condition, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the other requests never joined the read"
        time.sleep(0.005)


def concurrently(count: int, call) -> list[Any]:
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def run(number: int) -> None:
        try:
            results[number] = call(number)
        except BaseException as error:  # collected: the test asserts on them
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    if errors:
        raise errors[0]
    return results


# ---- the cache itself -------------------------------------------------------------------------------


def test_n_concurrent_identical_requests_run_one_read_and_each_gets_its_own_copy():
    cache = SingleFlightCache(ttl_seconds=60, max_entries=10, max_concurrent_reads=2)
    runs = []

    def read():
        runs.append(1)
        wait_until(lambda: cache.stats().joined == 7)  # every other request is waiting on this read
        return {"rows": [1, 2, 3]}

    results = concurrently(8, lambda n: cache.get("k", read))
    assert len(runs) == 1
    assert cache.stats().reads == 1 and cache.stats().joined == 7
    assert all(r == {"rows": [1, 2, 3]} for r in results)
    results[0]["rows"].append(4)  # one page changing what it was given …
    assert all(r == {"rows": [1, 2, 3]} for r in results[1:])  # … changes nobody else's
    assert cache.get("k", read) == {"rows": [1, 2, 3]} and len(runs) == 1  # a hit, not a read
    assert cache.stats().hits == 1


def test_a_failed_read_reaches_every_waiter_and_is_not_cached():
    cache = SingleFlightCache(ttl_seconds=60, max_entries=10, max_concurrent_reads=2)

    def broken():
        wait_until(lambda: cache.stats().joined == 3)
        raise RuntimeError("database down")

    with pytest.raises(RuntimeError, match="database down"):
        concurrently(4, lambda n: cache.get("k", broken))
    assert cache.stats().reads == 1
    assert cache.get("k", lambda: "fresh") == "fresh"  # the next request reads again


def test_entries_expire_after_the_ttl_and_the_oldest_go_first():
    now = [0.0]
    cache = SingleFlightCache(ttl_seconds=10, max_entries=2, max_concurrent_reads=1, clock=lambda: now[0])
    cache.get("a", lambda: 1)
    cache.get("b", lambda: 2)
    now[0] = 9.0
    assert cache.get("a", lambda: "re-read") == 1  # fresh: a hit (and now the most recently used)
    cache.get("c", lambda: 3)  # over the bound: the least recently used ("b") goes
    assert cache.get("b", lambda: "re-read") == "re-read"
    now[0] = 20.0
    assert cache.get("a", lambda: "expired") == "expired"


def test_a_read_that_began_before_clear_is_not_stored():
    cache = SingleFlightCache(ttl_seconds=60, max_entries=10, max_concurrent_reads=1)
    started, release = threading.Event(), threading.Event()

    def slow():
        started.set()
        release.wait(30)
        return "old"

    thread = threading.Thread(target=cache.get, args=("k", slow))
    thread.start()
    started.wait(30)
    cache.clear()
    release.set()
    thread.join(30)
    assert cache.get("k", lambda: "new") == "new"


# ---- the app's page cache on real data ---------------------------------------------------------------


def assert_same(cached: Any, live: Any, where: str = "page") -> None:
    """Recursively equal: frames cell by cell (dtypes included), dicts by key, sequences by position."""
    if isinstance(live, pd.DataFrame):
        pd.testing.assert_frame_equal(cached, live, obj=where)
    elif isinstance(live, dict):
        assert cached.keys() == live.keys(), where
        for key in live:
            assert_same(cached[key], live[key], f"{where}.{key}")
    elif isinstance(live, list | tuple):
        assert len(cached) == len(live), where
        for number, (a, b) in enumerate(zip(cached, live, strict=True)):
            assert_same(a, b, f"{where}[{number}]")
    elif isinstance(live, float) and pd.isna(live):
        assert pd.isna(cached), where
    else:
        assert cached == live, where


def owners(app_env) -> list[tuple[str, str]]:
    """The generated organizations (with metrics up to the last day; other tests add bare tenants) and creators."""
    with app_env.owner.connect() as conn:
        rows = conn.execute(
            text("""SELECT o.id, o."createdBy" FROM organizations o
                    WHERE EXISTS (SELECT 1 FROM metrics m WHERE m."organizationId" = o.id AND m.period = 'daily'
                                  AND m.date = :day AND m.name = 'orders_revenue')
                    ORDER BY o.name"""),
            {"day": app_env.today},
        ).all()
    assert len(rows) >= 2
    return [(str(org), str(user)) for org, user in rows]


def owner_scope(org: str, user: str, hr_access: str = "all", workspaces=None) -> Scope:
    return Scope(org, workspaces, user, OWNER_PAGES, hr_access)


@pytest.fixture
def cache(app_env):
    queries.clear_caches()
    yield queries.PAGE_CACHE
    queries.clear_caches()


def test_what_the_cache_answers_equals_the_live_queries_for_every_page(app_env, cache):
    """Filled by one viewer, answered to another of the same scope: equal to that viewer's own live read."""
    (org, owner_user), *_ = owners(app_env)
    filters = from_query({"preset": "30d", "grain": "week"}, app_env.today)
    first = owner_scope(org, owner_user)
    second = owner_scope(org, str(uuid.uuid4()))  # another user with the same organization and HR level
    for page in OWNER_PAGES:
        queries.page_data(first, page, filters)
        reads = cache.stats().reads
        cached = queries.page_data(second, page, filters)
        assert cache.stats().reads == reads, page  # answered from the cache …
        assert_same(cached, queries.run_page(second, page, filters), page)  # … with the live rows


def test_the_cache_never_crosses_organizations_workspaces_or_hr_levels(app_env, cache):
    (org_a, user_a), (org_b, _), *_ = owners(app_env)
    filters = from_query({"preset": "90d", "grain": "month"}, app_env.today)
    reads = cache.stats().reads  # the counters run over the process's life
    a = queries.page_data(owner_scope(org_a, user_a), "overview", filters)
    b = queries.page_data(owner_scope(org_b, user_a), "overview", filters)  # same user and filters, other tenant
    assert cache.stats().reads - reads == 2
    assert_same(b, queries.run_page(owner_scope(org_b, user_a), "overview", filters))
    assert [c["value"] for c in a["cards"]] != [c["value"] for c in b["cards"]]  # the tenants' figures differ

    with app_env.owner.connect() as conn:
        workspace = str(conn.execute(text('SELECT id FROM workspaces WHERE "organizationId" = :o ORDER BY name'),
                                     {"o": org_a}).scalars().first())  # fmt: skip
    narrowed = owner_scope(org_a, user_a, workspaces=(workspace,))
    one_workspace = queries.page_data(narrowed, "overview", filters)
    assert cache.stats().reads - reads == 3
    assert_same(one_workspace, queries.run_page(narrowed, "overview", filters))

    # the Audit page at HR level `all`, then `none`: the database hides HR rows from `none`, and the
    # cached `all` result must not answer it (own rows: other tests may have archived the live ones)
    audit_filters = from_query({"preset": "7d"}, app_env.today)
    day = dt.datetime.combine(app_env.today, dt.time(12))
    with app_env.owner.begin() as conn:
        rows = [
            make(conn, "audit_logs", organizationId=org_a, entity=entity, action="UPDATE", createdAt=day,
                 oldValue=None, newValue={"status": "checked"})["id"]
            for entity in ("payroll", "deal")
        ]  # fmt: skip
    try:
        everything = queries.page_data(owner_scope(org_a, user_a, "all"), "audit", audit_filters)
        hidden = queries.page_data(owner_scope(org_a, user_a, "none"), "audit", audit_filters)
        assert_same(hidden, queries.run_page(owner_scope(org_a, user_a, "none"), "audit", audit_filters))
        assert {"payroll", "deal"} <= set(everything["entities"])
        assert "deal" in hidden["entities"] and "payroll" not in hidden["entities"]
    finally:
        with app_env.owner.begin() as conn:
            conn.execute(text("DELETE FROM audit_logs WHERE id = ANY(:ids)"), {"ids": rows})


def test_one_read_serves_many_concurrent_viewers_of_one_scope(app_env, cache, monkeypatch):
    (org, user), (other_org, _), *_ = owners(app_env)
    filters = from_query({"preset": "90d", "grain": "week"}, app_env.today)
    live = queries.run_page(owner_scope(org, user), "overview", filters)
    real_run_page = queries.run_page
    pages_read: list[str] = []

    def counted(scope, page, f, engine=None, **options):
        pages_read.append(scope.organization_id)
        if scope.organization_id == org:  # hold the read until the other 11 viewers of `org` wait on it
            wait_until(lambda: cache.stats().joined >= 11)
        return real_run_page(scope, page, f, engine, **options)

    monkeypatch.setattr(queries, "run_page", counted)
    viewers = [owner_scope(org, str(uuid.uuid4())) for _ in range(12)] + [owner_scope(other_org, user)]
    results = concurrently(len(viewers), lambda n: queries.page_data(viewers[n], "overview", filters))
    # 12 viewers of one scope → one read; the other tenant its own
    assert sorted(pages_read) == sorted([org, other_org])
    for result in results[:12]:
        assert_same(result, live)


def test_a_newer_metrics_version_is_never_answered_from_an_older_entry(app_env, cache):
    (org, user), *_ = owners(app_env)
    scope = owner_scope(org, user)
    filters = from_query({"preset": "7d", "grain": "day"}, app_env.today)
    before = queries.page_data(scope, "overview", filters)
    revenue = next(c["value"] for c in before["cards"] if c["name"] == "orders_revenue")
    change = """UPDATE metrics SET value = value + :delta,
                       metadata = jsonb_set(metadata, '{computed_at}', to_jsonb(CAST(:stamp AS text)))
                WHERE "organizationId" = :org AND period = 'daily' AND date = :day AND name = 'orders_revenue'"""
    with app_env.owner.begin() as conn:
        stamp = conn.execute(
            text("""SELECT metadata ->> 'computed_at' FROM metrics WHERE "organizationId" = :org
                    AND period = 'daily' AND date = :day AND name = 'orders_revenue' LIMIT 1"""),
            {"org": org, "day": app_env.today},
        ).scalar_one()
        conn.execute(text(change), {"delta": 1000, "stamp": "2999-01-01T00:00:00+00:00", "org": org,
                                    "day": app_env.today})  # fmt: skip
    try:
        time.sleep(queries.VERSION_SECONDS + 0.2)  # the next page run reads the version again
        after = queries.page_data(scope, "overview", filters)
        assert after["as_of"][1] == "2999-01-01T00:00:00+00:00"
        revenue_after = next(c["value"] for c in after["cards"] if c["name"] == "orders_revenue")
        assert revenue_after > revenue  # the new run's rows, not the cached ones …
        assert_same(after, queries.run_page(scope, "overview", filters))  # … exactly the live read
    finally:
        with app_env.owner.begin() as conn:
            conn.execute(text(change), {"delta": -1000, "stamp": stamp, "org": org, "day": app_env.today})
