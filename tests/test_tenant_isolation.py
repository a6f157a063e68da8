"""Row-level security, proven table by table as the real `prometric_reader` login.

The tables holding tenant data are found from the live catalog, not from a list: every table with
an "organizationId", `organizations` and `users` (members), and, repeatedly, every table with a NOT
NULL foreign key to one of those. Two organizations get a row in every table of the schema; then,
connected as `prometric_reader`, a session for A sees exactly A's rows and none of B's.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from typing import Any

import psycopg.errors
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, ProgrammingError

from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.db.roles import JOBS_ROLE, READER_ROLE
from prometric_pipelines.db.schema import PLATFORM_TABLES, metadata
from prometric_pipelines.db.tenancy import read_tenant_key, sign_tenant, tenant_session
from tests.factories import make, make_tenant

# Platform tables with "organizationId" that only the jobs keep (the metrics change log and its state, the
# payroll input digests): bookkeeping, no grant for the reader at all (docs/security.md)
JOBS_ONLY_TABLES = {"metric_changes", "metric_nightly_state", "payroll_input_digests"}
# The other platform tables with "organizationId" (job results: stock_reconciliation_runs …) are the
# dashboards' to read, under the same tenant policy; the rest (tenant keys, lock-outs) are the owner's.
TENANT_PLATFORM_TABLES = {
    name for name in PLATFORM_TABLES if "organizationId" in metadata.tables[name].c
} - JOBS_ONLY_TABLES
# no tenant's rows, readable only when the signed viewer owns the organization (the Database page;
# tests/test_logins.py)
OWNER_VIEWER_TABLES = {
    "maintenance_health_snapshots", "maintenance_health_tables", "maintenance_health_indexes",
    "maintenance_health_queries",
}  # fmt: skip
READER_FORBIDDEN = {
    "refresh_tokens", "email_verifications", "alembic_version",
    *(set(PLATFORM_TABLES) - TENANT_PLATFORM_TABLES - OWNER_VIEWER_TABLES),
}  # fmt: skip


def tenant_tables_from_catalog(conn) -> set[str]:
    tables = set(
        conn.execute(
            # a partitioned table is one table (audit_logs by month), its partitions are parts of it
            text("""SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace
                    AND relkind IN ('r', 'p') AND NOT relispartition""")
        ).scalars()
    )
    with_organization = set(
        conn.execute(
            text("""SELECT table_name FROM information_schema.columns
                    WHERE table_schema = current_schema() AND column_name = 'organizationId'""")
        ).scalars()
    )
    required_fks = conn.execute(
        text("""
            SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent
            FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
            WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace AND a.attnotnull
        """)
    ).all()
    found = with_organization | {"organizations", "users"}
    while True:
        more = {child for child, parent in required_fks if parent in found and child not in found}
        if not more:
            return found & tables
        found |= more


@pytest.fixture(scope="module")
def owner(engine):
    return engine


@pytest.fixture(scope="module")
def tenants(owner) -> dict[str, dict[str, Any]]:
    """Organizations A and B with one row in every table of the schema (tenant-consistent parents)."""
    out: dict[str, dict[str, Any]] = {}
    with owner.begin() as conn:
        for name in ("A", "B"):
            base = make_tenant(conn)
            rows: dict[str, dict[str, Any]] = {
                "users": base["owner"],
                "organizations": base["organization"],
                "workspaces": base["workspace"],
            }
            for table in metadata.sorted_tables:  # parents before children
                if table.name in rows or table.name in set(PLATFORM_TABLES) - TENANT_PLATFORM_TABLES:
                    continue
                values: dict[str, Any] = {}
                for column in table.columns:
                    if column.name == "organizationId":
                        values[column.name] = base["organization"]["id"]
                    elif column.name == "workspaceId":
                        values[column.name] = base["workspace"]["id"]
                    elif column.foreign_keys and not column.nullable:
                        parent = next(iter(column.foreign_keys)).column.table.name
                        values[column.name] = rows[parent]["id"]
                    elif table.name == "email_verifications" and column.name == "userId":
                        values[column.name] = base["owner"]["id"]
                rows[table.name] = make(conn, table.name, **values)
            out[name] = {"rows": rows, "organization": str(base["organization"]["id"])}
    return out


@pytest.fixture(scope="module")
def logins(owner, server_logins):
    # real logins on the test server, made the way the embedded set-up makes them
    return server_logins(owner)


@pytest.fixture(scope="module")
def reader(logins):
    engine = create_db_engine(logins[READER_ROLE])
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def key(owner):
    with owner.connect() as conn:
        return read_tenant_key(conn)


def _key_columns(table: str) -> list[str]:
    return [column.name for column in metadata.tables[table].primary_key.columns]


def visible_ids(conn, table: str) -> set:
    """The primary keys of the rows the session sees: ids, or tuples for a composite key."""
    columns = _key_columns(table)
    with conn.begin_nested():
        selected = ", ".join(f'"{c}"' for c in columns)
        result = conn.execute(text(f'SELECT {selected} FROM "{table}"'))
        return set(result.scalars()) if columns == ["id"] else {tuple(row) for row in result}


def row_key(table: str, row: dict[str, Any]) -> Any:
    columns = _key_columns(table)
    return row["id"] if columns == ["id"] else tuple(row[c] for c in columns)


def test_the_tenant_tables_are_found_and_every_readable_table_has_row_level_security(owner, logins):
    with owner.connect() as conn:
        found = tenant_tables_from_catalog(conn)
        every = {
            r.relname: r
            for r in conn.execute(
                text("""SELECT relname, relrowsecurity, relforcerowsecurity, relispartition,
                               has_table_privilege(:reader, oid, 'SELECT')
                               OR has_any_column_privilege(:reader, oid, 'SELECT') AS readable
                        FROM pg_class WHERE relnamespace = current_schema()::regnamespace
                          AND relkind IN ('r', 'p')"""),
                {"reader": READER_ROLE},
            )
        }
    # partitions (audit_logs by month) are read through their table only: no grant, and RLS besides
    partitions = [r for r in every.values() if r.relispartition]
    assert partitions and all(r.relrowsecurity and not r.readable for r in partitions)
    flags = {name: r for name, r in every.items() if not r.relispartition}
    assert len(found) >= 35
    assert {"order_items", "invoice_items", "deal_products", "work_orders", "task_comments", "users"} <= found
    # the reader can read a table only if it holds tenant data (or is an owner's health snapshot) and
    # row-level security guards it
    readable = {name for name, r in flags.items() if r.readable}
    assert readable <= found | OWNER_VIEWER_TABLES
    assert all(flags[name].relrowsecurity for name in readable)
    assert set(flags) - readable == READER_FORBIDDEN
    # never FORCE: the owner (migrations, generator, jobs run as owner) is not subject to the policies
    assert not any(r.relforcerowsecurity for r in flags.values())
    assert all(flags[name].relrowsecurity for name in set(flags) - {"alembic_version"})


def test_reader_sees_exactly_its_organizations_rows_in_every_tenant_table(owner, tenants, reader, key):
    with owner.connect() as conn:
        found = tenant_tables_from_catalog(conn)
    mismatches: dict[str, str] = {}
    checked = 0
    for name, other in (("A", "B"), ("B", "A")):
        with tenant_session(reader, tenants[name]["organization"], key=key) as conn:
            for table in sorted(found):
                try:
                    seen = visible_ids(conn, table)
                except ProgrammingError as error:
                    assert isinstance(error.orig, psycopg.errors.InsufficientPrivilege), error
                    assert table in READER_FORBIDDEN, f"{table}: {error.orig}"
                    continue
                mine = {row_key(table, tenants[name]["rows"][table])}
                theirs = {row_key(table, tenants[other]["rows"][table])}
                if seen & theirs:
                    mismatches[f"{name}:{table}"] = "sees the other organization's row"
                elif seen != mine:
                    mismatches[f"{name}:{table}"] = f"sees {len(seen)} rows, expected its own 1"
                checked += 1
    assert not mismatches, mismatches
    # refresh_tokens and the jobs' bookkeeping are the tenant tables the reader cannot read
    assert checked == 2 * len(found - READER_FORBIDDEN)
    assert found & READER_FORBIDDEN == {"refresh_tokens", *JOBS_ONLY_TABLES}


def test_nothing_is_visible_without_an_organization(tenants, reader, owner):
    with owner.connect() as conn:
        found = tenant_tables_from_catalog(conn) - READER_FORBIDDEN
    with reader.connect() as conn:
        counts = {t: len(visible_ids(conn, t)) for t in sorted(found)}
        # a plain setting without the helper's proof is no better than none
        conn.execute(text("SELECT set_config('app.organization_id', :o, false)"), {"o": tenants["A"]["organization"]})
        counts_set = {t: len(visible_ids(conn, t)) for t in sorted(found)}
        conn.rollback()
        conn.execute(text("RESET app.organization_id"))
    assert counts == dict.fromkeys(found, 0)
    assert counts_set == dict.fromkeys(found, 0)
    with owner.connect() as conn:  # while the rows are there for the owner
        assert conn.execute(text("SELECT count(*) FROM orders")).scalar_one() == 2


def test_reader_cannot_insert_update_delete_or_truncate(tenants, reader, key, owner):
    with owner.connect() as conn:
        # each table with its first column, for a harmless UPDATE
        tables = dict(
            conn.execute(
                text("""SELECT c.relname, a.attname FROM pg_class c
                        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = 1
                        WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'""")
            ).all()
        )
    refused = defaultdict(list)
    statements = {
        "INSERT": 'INSERT INTO "{t}" DEFAULT VALUES',
        "UPDATE": 'UPDATE "{t}" SET "{c}" = "{c}"',
        "DELETE": 'DELETE FROM "{t}"',
        "TRUNCATE": 'TRUNCATE "{t}"',
    }
    with tenant_session(reader, tenants["A"]["organization"], key=key) as conn:
        for table, column in sorted(tables.items()):
            for verb, sql in statements.items():
                try:
                    with conn.begin_nested():
                        conn.execute(text(sql.format(t=table, c=column)))
                except DBAPIError as error:
                    if isinstance(error.orig, psycopg.errors.InsufficientPrivilege):
                        refused[verb].append(table)
    assert {verb: len(names) for verb, names in refused.items()} == dict.fromkeys(statements, len(tables))
    with owner.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM orders")).scalar_one() == 2


@pytest.mark.parametrize(
    "widening",
    [
        "SET app.organization_id = '{b}'",
        "SET LOCAL app.organization_id = '{b}'",
        "SELECT set_config('app.organization_id', '{b}', true)",
        "SELECT set_config('app.organization_id', '{b}', false)",
        # replaying the session's own proof with another organization
        "SELECT set_config('app.organization_id', '{b}', true), "
        "set_config('app.tenant_proof', current_setting('app.tenant_proof'), true)",
        "RESET app.tenant_proof",
    ],
)
def test_a_page_query_cannot_switch_to_another_organization(tenants, reader, key, widening):
    b = tenants["B"]["organization"]
    with tenant_session(reader, tenants["A"]["organization"], key=key) as conn:
        assert visible_ids(conn, "orders") == {tenants["A"]["rows"]["orders"]["id"]}
        conn.execute(text(widening.format(b=b)))
        assert visible_ids(conn, "orders") == set()
        assert visible_ids(conn, "organizations") == set()
    with reader.connect() as conn:
        conn.execute(text("RESET ALL"))


def test_a_proof_is_good_for_its_own_transaction_only(tenants, reader, key):
    a = tenants["A"]["organization"]
    with reader.connect() as conn:
        with conn.begin():
            challenge = conn.execute(text("SELECT prometric_tenant_challenge()")).scalar_one()
            proof = sign_tenant(key, a, "", challenge)
            # a page keeps the settings at session level, hoping the pooled connection carries them on
            conn.execute(
                text("SELECT set_config('app.organization_id', :o, false), set_config('app.tenant_proof', :p, false)"),
                {"o": a, "p": proof},
            )
            assert len(visible_ids(conn, "orders")) == 1  # valid (and made with the key) in its transaction
        with conn.begin():
            assert conn.execute(text("SELECT current_setting('app.tenant_proof')")).scalar_one() == proof
            assert visible_ids(conn, "orders") == set()  # the next transaction: another challenge
        conn.execute(text("RESET ALL"))
        conn.commit()
    with reader.connect() as conn:  # the helper's own settings are transaction-local
        assert conn.execute(text("SELECT current_setting('app.organization_id', true)")).scalar() in (None, "")


def test_the_reader_cannot_reach_the_key_or_sign(reader, key):
    with reader.connect() as conn:
        for sql in (
            "SELECT key FROM security_tenant_keys",
            "SELECT prometric_hmac_sha256('k'::bytea, 'm'::bytea)",
            'SELECT "password" FROM users',
            "SELECT * FROM security_account_locks",
        ):
            with pytest.raises(ProgrammingError) as error, conn.begin_nested():
                conn.execute(text(sql))
            assert isinstance(error.value.orig, psycopg.errors.InsufficientPrivilege), sql
        source = conn.execute(
            text("SELECT string_agg(prosrc, '') FROM pg_proc WHERE proname LIKE 'prometric_%'")
        ).scalar_one()
    assert key not in source  # function bodies are public: the key is not in them


def test_sql_hmac_matches_python(owner):
    with owner.connect() as conn:
        for secret, message in [("k", ""), ("a" * 64, "x|y|1|2"), ("long" * 40, "ж|" * 50)]:
            in_sql = conn.execute(
                text("SELECT prometric_hmac_sha256(convert_to(:k, 'UTF8'), convert_to(:m, 'UTF8'))"),
                {"k": secret, "m": message},
            ).scalar_one()
            assert in_sql == hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def test_a_wrong_key_shows_nothing(tenants, reader):
    with tenant_session(reader, tenants["A"]["organization"], key="not-the-key") as conn:
        assert visible_ids(conn, "orders") == set()


def test_workspace_ids_narrow_to_those_workspaces(tenants, reader, key, owner):
    a = tenants["A"]
    main = a["rows"]["workspaces"]["id"]
    with owner.begin() as conn:
        second = make(conn, "workspaces", organizationId=a["organization"], name="Branch")["id"]
        branch_order = make(conn, "orders", organizationId=a["organization"], workspaceId=second)["id"]
        clerk = make(conn, "users")["id"]
        branch_employee = make(conn, "employees", organizationId=a["organization"], workspaceId=second, userId=clerk)[
            "id"
        ]
    main_order = a["rows"]["orders"]["id"]
    try:
        cases = {
            None: {main_order, branch_order},
            (str(main),): {main_order},
            (str(second),): {branch_order},
            (str(main), str(second)): {main_order, branch_order},
            (): set(),  # no workspace at all: nothing, never "no narrowing"
            (str(tenants["B"]["rows"]["workspaces"]["id"]),): set(),  # another organization's workspace
        }
        for workspaces, expected in cases.items():
            with tenant_session(reader, a["organization"], workspaces, key=key) as conn:
                assert visible_ids(conn, "orders") == expected, workspaces
        with tenant_session(reader, a["organization"], [str(second)], key=key) as conn:
            assert visible_ids(conn, "workspaces") == {second}
            assert visible_ids(conn, "employees") == {branch_employee}
            assert visible_ids(conn, "order_items") == set()  # the main workspace's order's items
            assert visible_ids(conn, "organizations") == {a["rows"]["organizations"]["id"]}
            # members: the branch's employee and the organization's creator, not B's people
            assert visible_ids(conn, "users") == {clerk, a["rows"]["users"]["id"]}
            # widening the workspaces by hand voids the proof
            conn.execute(text("SELECT set_config('app.workspace_ids', '', true)"))
            assert visible_ids(conn, "orders") == set()
    finally:
        with owner.begin() as conn:
            conn.execute(text("DELETE FROM employees WHERE id = :e"), {"e": branch_employee})
            conn.execute(text("DELETE FROM orders WHERE id = :o"), {"o": branch_order})
            conn.execute(text("DELETE FROM workspaces WHERE id = :w"), {"w": second})
            conn.execute(text("DELETE FROM users WHERE id = :u"), {"u": clerk})


def test_jobs_role_reads_and_writes_every_tenant_but_not_the_keys(tenants, logins):
    jobs = create_db_engine(logins[JOBS_ROLE])
    try:
        with jobs.begin() as conn:
            assert visible_ids(conn, "orders") == {tenants[n]["rows"]["orders"]["id"] for n in ("A", "B")}
            updated = conn.execute(
                text("UPDATE orders SET notes = 'checked' WHERE \"organizationId\" = :b"),
                {"b": tenants["B"]["organization"]},
            ).rowcount
            assert updated == 1
            conn.execute(text("UPDATE orders SET notes = NULL"))
            with pytest.raises(ProgrammingError), conn.begin_nested():
                conn.execute(text("SELECT key FROM security_tenant_keys"))
    finally:
        jobs.dispose()
