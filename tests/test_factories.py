"""The row helpers can make a valid row of every table, and parents share the row's tenant."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from prometric_pipelines.db.schema import metadata
from tests.factories import make, make_tenant


@pytest.mark.parametrize("table_name", sorted(metadata.tables))
def test_make_inserts_a_valid_row_of_every_table(engine, table_name):
    with engine.connect() as conn, conn.begin() as transaction:
        tenant = make_tenant(conn)
        scope = {
            name: tenant[key]["id"]
            for name, key in (("organizationId", "organization"), ("workspaceId", "workspace"))
            if name in metadata.tables[table_name].columns
        }
        row = make(conn, table_name, **scope)
        table = metadata.tables[table_name]
        assert conn.execute(select(table).where(*(c == row[c.name] for c in table.primary_key.columns))).one()
        # every parent reached through a foreign key belongs to the row's organization
        # (child tables without one, like order_items, are checked through their parent's case)
        if "organizationId" in table.columns:
            for column in table.columns:
                for foreign_key in column.foreign_keys:
                    parent = foreign_key.column.table
                    if row[column.name] is None or "organizationId" not in parent.columns:
                        continue
                    parent_org = conn.execute(
                        select(parent.c.organizationId).where(parent.c.id == row[column.name])
                    ).scalar_one()
                    assert parent_org == row["organizationId"], f"{table_name}.{column.name}: another tenant's row"
        transaction.rollback()


def test_make_rejects_unknown_columns(engine):
    with engine.connect() as conn, pytest.raises(KeyError, match="no column"):
        make(conn, "orders", orderNo="X")
