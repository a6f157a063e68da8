"""What the schema does with data: delete rules, generated columns, checks, tenant-scoped keys."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from prometric_pipelines.db import schema
from tests.factories import make, make_tenant


@pytest.fixture
def conn(engine):
    """A connection whose work is rolled back after the test."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


def count(conn, table, **where) -> int:
    table_obj = schema.metadata.tables[table]
    query = select(text("count(*)")).select_from(table_obj)
    for column, value in where.items():
        query = query.where(table_obj.c[column] == value)
    return conn.execute(query).scalar_one()


def refused(conn, statement, **params) -> bool:
    """True when the database rejects the statement (the test's transaction stays usable)."""
    savepoint = conn.begin_nested()
    try:
        conn.execute(text(statement), params)
    except IntegrityError:
        savepoint.rollback()
        return True
    savepoint.rollback()
    return False


def test_deleting_an_organization_cascades_to_its_tenant_rows(conn):
    tenant = make_tenant(conn)
    org_id = tenant["organization"]["id"]
    ws_id = tenant["workspace"]["id"]
    other = make_tenant(conn)
    branch = make(conn, "workspaces", organizationId=org_id, name="Branch")
    department = make(conn, "departments", organizationId=org_id, workspaceId=ws_id)
    customer = make(conn, "customers", organizationId=org_id, workspaceId=branch["id"])
    make(conn, "employees", organizationId=org_id, workspaceId=ws_id, departmentId=department["id"])
    order = make(conn, "orders", organizationId=org_id, workspaceId=ws_id, customerId=customer["id"])
    make(conn, "order_items", orderId=order["id"])
    make(conn, "customers", organizationId=other["organization"]["id"], workspaceId=other["workspace"]["id"])

    conn.execute(text("DELETE FROM organizations WHERE id = :id"), {"id": org_id})

    assert count(conn, "workspaces", organizationId=org_id) == 0
    assert count(conn, "departments", organizationId=org_id) == 0
    assert count(conn, "customers", organizationId=org_id) == 0
    assert count(conn, "employees", organizationId=org_id) == 0
    assert count(conn, "orders", organizationId=org_id) == 0
    assert count(conn, "order_items", orderId=order["id"]) == 0  # through its order
    # the other tenant and the shared users are untouched
    assert count(conn, "customers", organizationId=other["organization"]["id"]) == 1
    assert count(conn, "users", id=tenant["owner"]["id"]) == 1


def test_deleting_a_parent_department_or_category_orphans_children_with_null(conn):
    tenant = make_tenant(conn)
    org_id, ws_id = tenant["organization"]["id"], tenant["workspace"]["id"]
    parent = make(conn, "departments", organizationId=org_id, workspaceId=ws_id, name="Sales")
    child = make(conn, "departments", organizationId=org_id, workspaceId=ws_id, parentId=parent["id"], name="Almaty")
    category = make(conn, "product_categories", organizationId=org_id)
    subcategory = make(conn, "product_categories", organizationId=org_id, parentId=category["id"])

    conn.execute(text("DELETE FROM departments WHERE id = :id"), {"id": parent["id"]})
    conn.execute(text("DELETE FROM product_categories WHERE id = :id"), {"id": category["id"]})

    departments = schema.departments
    assert conn.execute(select(departments.c.parentId).where(departments.c.id == child["id"])).scalar_one() is None
    categories = schema.product_categories
    assert conn.execute(select(categories.c.parentId).where(categories.c.id == subcategory["id"])).scalar_one() is None


def test_deleting_a_user_cascades_to_tokens_and_employee_records(conn):
    tenant = make_tenant(conn)
    user = make(conn, "users")
    make(conn, "refresh_tokens", userId=user["id"])
    make(conn, "employees", userId=user["id"], organizationId=tenant["organization"]["id"])
    make(conn, "workspace_users", userId=user["id"], workspaceId=tenant["workspace"]["id"])

    conn.execute(text("DELETE FROM users WHERE id = :id"), {"id": user["id"]})

    assert count(conn, "refresh_tokens", userId=user["id"]) == 0
    assert count(conn, "employees", userId=user["id"]) == 0
    assert count(conn, "workspace_users", userId=user["id"]) == 0


def test_no_action_references_refuse_the_delete_and_keep_the_rows(conn):
    tenant = make_tenant(conn)
    org_id, ws_id = tenant["organization"]["id"], tenant["workspace"]["id"]
    customer = make(conn, "customers", organizationId=org_id, workspaceId=ws_id)
    make(conn, "deals", organizationId=org_id, workspaceId=ws_id, customerId=customer["id"])
    product = make(conn, "products", organizationId=org_id, workspaceId=ws_id)
    make(conn, "order_items", productId=product["id"])

    assert refused(conn, "DELETE FROM customers WHERE id = :id", id=customer["id"])
    assert refused(conn, "DELETE FROM products WHERE id = :id", id=product["id"])
    assert count(conn, "customers", id=customer["id"]) == 1
    assert count(conn, "deals", customerId=customer["id"]) == 1


def test_generated_columns_follow_their_inputs(conn):
    tenant = make_tenant(conn)
    org_id, ws_id = tenant["organization"]["id"], tenant["workspace"]["id"]
    product = make(
        conn, "products", organizationId=org_id, workspaceId=ws_id, currentStock=Decimal("10.5"), reservedStock=3
    )
    assert product["availableStock"] == Decimal("7.500")
    assert product["unit"] == "шт" and product["taxRate"] == Decimal("12.00")
    invoice = make(conn, "invoices", organizationId=org_id, workspaceId=ws_id, totalAmount=1120, paidAmount=500)
    assert invoice["balanceDue"] == Decimal("620.00")
    conn.execute(text('UPDATE invoices SET "paidAmount" = 1120 WHERE id = :id'), {"id": invoice["id"]})
    balance = conn.execute(select(schema.invoices.c.balanceDue).where(schema.invoices.c.id == invoice["id"]))
    assert balance.scalar_one() == Decimal("0.00")


def test_generated_columns_cannot_be_written(conn):
    tenant = make_tenant(conn)
    product = make(conn, "products", organizationId=tenant["organization"]["id"], workspaceId=tenant["workspace"]["id"])
    savepoint = conn.begin_nested()
    with pytest.raises(Exception, match="generated column"):
        conn.execute(text('UPDATE products SET "availableStock" = 1 WHERE id = :id'), {"id": product["id"]})
    savepoint.rollback()


def test_role_check_constraint(conn):
    make(conn, "users", role="investor")
    assert refused(conn, "INSERT INTO users (email, password, role) VALUES ('x@y.kz', 'h', 'admin')")


def test_one_default_workspace_but_many_others(conn):
    tenant = make_tenant(conn)
    org_id = tenant["organization"]["id"]
    make(conn, "workspaces", organizationId=org_id, isDefault=False)
    make(conn, "workspaces", organizationId=org_id, isDefault=False)
    assert refused(
        conn, 'INSERT INTO workspaces ("organizationId", name, "isDefault") VALUES (:org, \'Second\', true)', org=org_id
    )


def test_inventory_batches_are_unique_and_a_missing_batch_counts_once(conn):
    tenant = make_tenant(conn)
    org_id, ws_id = tenant["organization"]["id"], tenant["workspace"]["id"]
    warehouse = make(conn, "warehouses", organizationId=org_id, workspaceId=ws_id)
    product = make(conn, "products", organizationId=org_id, workspaceId=ws_id)
    row = {"organizationId": org_id, "workspaceId": ws_id, "warehouseId": warehouse["id"], "productId": product["id"]}
    make(conn, "inventory", **row, batchNumber=None)
    make(conn, "inventory", **row, batchNumber="B-1")
    make(conn, "inventory", **row, batchNumber="")  # an empty batch code is not "no batch"
    insert = (
        'INSERT INTO inventory ("organizationId", "workspaceId", "warehouseId", "productId", "batchNumber")'
        " VALUES (:org, :ws, :wh, :p, :batch)"
    )
    params = {"org": org_id, "ws": ws_id, "wh": warehouse["id"], "p": product["id"]}
    assert refused(conn, insert, **params, batch=None)
    assert refused(conn, insert, **params, batch="B-1")
    assert count(conn, "inventory", warehouseId=warehouse["id"]) == 3


def test_document_numbers_are_unique_per_organization(conn):
    first, second = make_tenant(conn), make_tenant(conn)
    for tenant in (first, second):
        make(
            conn,
            "orders",
            organizationId=tenant["organization"]["id"],
            workspaceId=tenant["workspace"]["id"],
            orderNumber="ORD-0001",
        )
    assert refused(
        conn,
        'INSERT INTO orders ("organizationId", "workspaceId", "orderNumber") VALUES (:org, :ws, \'ORD-0001\')',
        org=first["organization"]["id"],
        ws=first["workspace"]["id"],
    )
