"""Every SQL file in sql/ keeps to the tenancy rule (tests/sql_tenancy.py), and the checker itself
catches the mistakes it is for."""

from __future__ import annotations

import pytest

from prometric_pipelines.sql import SQL_DIR
from tests.sql_tenancy import TENANT_TABLES, check_file, check_sql

# Legitimate exceptions, each with its reason. Keep it short: a new entry needs a reviewer's yes.
ALLOWED = {
    "demo/local_order_days.sql": (
        "the demo's own database, every organization at once: the first and last order day its partitions "
        "and first-start jobs cover"
    ),
    "demo/steps_done.sql": (
        "the demo's own database, every organization at once: which first-start steps already wrote rows"
    ),
    "generate/anomaly_cross_tenant_movement.sql": (
        "the generator's injected anomaly IS a movement booked into another organization's warehouse "
        "(stock reconciliation must find it); both tables are limited to one organization each"
    ),
    "generate/deferred_constraints.sql": (
        "catalog query (pg_constraint) of the generator's bulk load, no tenant table; sqlglot cannot parse "
        "CAST(… AS regclass[])"
    ),
    "generate/deferred_triggers.sql": (
        "catalog query (pg_trigger) of the generator's bulk load, no tenant table; sqlglot cannot parse "
        "CAST(… AS regclass[])"
    ),
    "generate/deferred_indexes.sql": (
        "catalog query (pg_index) of the generator's bulk load, no tenant table; sqlglot cannot parse "
        "CAST(… AS regclass[])"
    ),
    "maintenance/ensure_platform_roles.sql": (
        "DDL of a restore into a new server (a DO block creating the schema's two roles NOLOGIN when missing); "
        "no table is read"
    ),
    "maintenance/table_checksum.sql": (
        "a template over one whole table ({table}, a catalog-quoted name): backups and their restore check "
        "describe the database, every tenant at once, by design"
    ),
}

SQL_FILES = sorted(SQL_DIR.rglob("*.sql"))


def test_tenant_tables_come_from_the_schema():
    assert {"orders", "invoices", "metrics", "payroll", "employees", "audit_logs", "inventory"} <= TENANT_TABLES
    assert not {"organizations", "users", "notifications"} & TENANT_TABLES


@pytest.mark.parametrize("path", SQL_FILES, ids=lambda p: str(p.relative_to(SQL_DIR)))
def test_every_sql_file_filters_and_joins_tenant_tables_by_organization(path):
    name = str(path.relative_to(SQL_DIR))
    findings = check_file(path, SQL_DIR)
    if name in ALLOWED:
        assert findings, f"{name} is allow-listed but has no finding any more: remove it from ALLOWED"
    else:
        assert findings == [], "\n".join(map(str, findings))


def test_the_allow_list_names_existing_files():
    assert set(ALLOWED) <= {str(p.relative_to(SQL_DIR)) for p in SQL_FILES}
    assert len(SQL_FILES) > 100


GOOD = {
    "filtered and joined on the tenant column": """
        SELECT o.id, c.name FROM orders o
        JOIN customers c ON c.id = o."customerId" AND c."organizationId" = o."organizationId"
        WHERE o."organizationId" = :organization_id""",
    "both limited by the same parameter": """
        SELECT o.id FROM orders o, customers c
        WHERE o."organizationId" = ANY(CAST(:ids AS uuid[])) AND c."organizationId" = ANY(CAST(:ids AS uuid[]))
          AND c.id = o."customerId" """,
    "a CTE limited in its own block, joined on the tenant column": """
        WITH mine AS (SELECT id, "organizationId" FROM orders WHERE "organizationId" = :org)
        UPDATE invoices AS i SET status = 'X' FROM mine
        WHERE i."organizationId" = mine."organizationId" AND i."orderId" = mine.id""",
    "a correlated subquery limited through the outer row": """
        SELECT p.id FROM products p WHERE p."organizationId" = :org
          AND NOT EXISTS (SELECT 1 FROM inventory i WHERE i."organizationId" = p."organizationId"
                          AND i."productId" = p.id)""",
    "an insert of computed rows and a COPY load": """
        INSERT INTO metrics ("organizationId", "workspaceId", name, type, period, value, date)
        VALUES (:org, :ws, 'x', 'y', 'daily', 1, :d)""",
    "a COPY load": 'COPY payroll_skips ("employeeId", year) FROM STDIN (FORMAT csv)',
    "a temp table made from a limited query": """
        CREATE TEMP TABLE t ON COMMIT DROP AS
        SELECT e.id FROM employees e WHERE e."organizationId" = ANY (CAST(:ids AS uuid[]))""",
}

BAD = {
    "no organization filter": (
        "SELECT count(*) FROM orders WHERE status = 'paid'",
        "orders (as orders) is not limited",
    ),
    "a delete of every tenant": ("DELETE FROM metrics WHERE date < :before", "metrics (as metrics) is not limited"),
    "a join on the id only": (
        """SELECT o.id FROM orders o JOIN customers c ON c.id = o."customerId"
           WHERE o."organizationId" = :org""",
        "customers (as c) is not limited",
    ),
    "two tenants limited by different values": (
        """SELECT o.id FROM orders o JOIN customers c ON c.id = o."customerId"
           WHERE o."organizationId" = :org AND c."organizationId" = :other""",
        "is joined to",
    ),
    "an unfiltered subquery under a filtered query": (
        """SELECT * FROM orders o WHERE o."organizationId" = :org
           AND o."customerId" IN (SELECT c.id FROM customers c WHERE c.status = 'ACTIVE')""",
        "customers (as c) is not limited",
    ),
    "an update through a CTE joined by id only": (
        """WITH mine AS (SELECT id FROM orders WHERE "organizationId" = :org)
           UPDATE invoices AS i SET status = 'X' FROM mine WHERE i."orderId" = mine.id""",
        "invoices (as i) is not limited",
    ),
    "a temp table from every tenant": (
        "CREATE TEMP TABLE t ON COMMIT DROP AS SELECT e.id FROM employees e",
        "employees (as e) is not limited",
    ),
}


@pytest.mark.parametrize("sql", GOOD.values(), ids=GOOD.keys())
def test_the_checker_accepts_tenant_scoped_sql(sql):
    assert check_sql(sql) == []


@pytest.mark.parametrize(("sql", "message"), BAD.values(), ids=BAD.keys())
def test_the_checker_flags_a_seeded_bad_query(sql, message):
    findings = [str(f) for f in check_sql(sql, "seeded.sql")]
    assert any(message in f for f in findings), findings
    assert all(f.startswith("seeded.sql: ") for f in findings)
