"""EXPLAIN ANALYZE as the reader no longer counts other tenants' rows by e-mail or name.

Before migration 20261206200800, `EXPLAIN ANALYZE SELECT id FROM users WHERE email = '<B's e-mail>'`
run in organization A's tenant session used the e-mail index and reported "Rows Removed by Filter: 1"
(the row the policy then hid): a yes/no answer to "does this e-mail exist in another organization", and
with `<` a binary search over every tenant's e-mails. The test compares the plans' counts for guesses
that hit B's rows and guesses that hit nothing: they must be the same numbers.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text

from prometric_pipelines.db.tenancy import read_tenant_key, tenant_session
from tests.factories import make, make_tenant


@pytest.fixture(scope="module")
def tenants(engine) -> dict[str, Any]:
    with engine.begin() as conn:
        a, b = make_tenant(conn), make_tenant(conn)
        contact = {"organizationId": b["organization"]["id"], "workspaceId": b["workspace"]["id"]}
        # B's people and customers, with e-mails and names an attacker in A would guess at
        for i in range(20):
            make(conn, "users", email=f"b-staff{i:02d}@bee.kz", firstName=f"Бекзат{i:02d}")
            make(conn, "customers", email=f"b-client{i:02d}@bee.kz", name=f"ТОО Би {i:02d}", **contact)
        conn.execute(text("ANALYZE users"))
        conn.execute(text("ANALYZE customers"))
        key = read_tenant_key(conn)
    return {"a": str(a["organization"]["id"]), "key": key}


def removed_and_scanned(plan: dict[str, Any]) -> tuple[int, ...]:
    """Every row count EXPLAIN ANALYZE reports, summed over the plan's nodes."""
    totals = [0, 0, 0]
    stack = [plan["Plan"]]
    while stack:
        node = stack.pop()
        totals[0] += int(node.get("Rows Removed by Filter", 0))
        totals[1] += int(node.get("Rows Removed by Index Recheck", 0))
        totals[2] += int(node.get("Actual Rows", 0) * node.get("Actual Loops", 1))
        stack.extend(node.get("Plans", []))
    return tuple(totals)


def explain(reader, tenants, query: str, guess: str) -> tuple[int, ...]:
    with tenant_session(reader, tenants["a"], key=tenants["key"]) as conn:
        # set for this transaction only: the plan an attacker would get on a small table too
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        plan = conn.execute(
            text(f"EXPLAIN (ANALYZE, TIMING OFF, SUMMARY OFF, FORMAT JSON) {query}"), {"g": guess}
        ).scalar_one()
    return removed_and_scanned((json.loads(plan) if isinstance(plan, str) else plan)[0])


@pytest.mark.parametrize(
    ("query", "hit", "miss"),
    [
        ("SELECT id FROM users WHERE email = :g", "b-staff07@bee.kz", "nobody@bee.kz"),
        ("SELECT id FROM users WHERE email < :g", "b-staff99@bee.kz", "b-staff00@bee.k"),
        # text against name: its comparisons are in the text index's operator family (migration 20261207001700)
        ('SELECT id FROM users WHERE email = CAST(:g AS name) COLLATE "default"', "b-staff07@bee.kz", "nobody@bee.kz"),
        (
            'SELECT id FROM users WHERE CAST(:g AS name) COLLATE "default" > email',
            "b-staff99@bee.kz",
            "b-staff00@bee.k",
        ),
        ('SELECT id FROM users WHERE "firstName" = :g', "Бекзат03", "Нетакого"),
        ("SELECT id FROM customers WHERE email = :g", "b-client03@bee.kz", "nobody@bee.kz"),
        ("SELECT id FROM customers WHERE name >= :g", "ТОО Би 00", "ЯЯЯ"),
    ],
    ids=[
        "users-email-equal",
        "users-email-range",
        "users-email-equal-name",
        "users-email-range-name",
        "users-name",
        "customers-email",
        "customers-name-range",
    ],
)
def test_explain_counts_do_not_depend_on_other_tenants_rows(reader, tenants, query, hit, miss):
    assert explain(reader, tenants, query, hit) == explain(reader, tenants, query, miss)


def test_the_reader_still_finds_its_own_rows_by_email(engine, reader, tenants):
    # the comparisons still work (after the policy): A's own owner is found by e-mail
    with engine.connect() as conn:
        email = conn.execute(
            text('SELECT u.email FROM users u JOIN organizations o ON o."createdBy" = u.id WHERE o.id = :a'),
            {"a": tenants["a"]},
        ).scalar_one()
    with tenant_session(reader, tenants["a"], key=tenants["key"]) as conn:
        assert conn.execute(text("SELECT count(*) FROM users WHERE email = :e"), {"e": email}).scalar_one() == 1
