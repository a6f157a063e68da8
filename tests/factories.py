"""Minimal valid rows of any table, for hand-made test cases.

`make(conn, "orders", status="CANCELLED", totalAmount=100)` inserts an order and, for every
required column you did not give, a sensible value: a parent row for a required foreign key
(created the same way), a value its `CHECK (… IN (…))` allows, a unique string, 1, today.
Parents share the tenant of the row being made: the order's workspace, customer… belong to the
order's organization.

`make` returns the inserted row (database defaults and generated columns included) as a dict.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, Column, Table, insert
from sqlalchemy.engine import Connection
from sqlalchemy.types import Boolean, Date, DateTime, Integer, Numeric, String, Text, Time, Uuid

from prometric_pipelines.db.schema import metadata

TENANT_COLUMNS = ("organizationId", "workspaceId")
TODAY = dt.date(2026, 1, 15)
_sequence = itertools.count(1)
# Columns under a CHECK other than `IN (…)` that the generic samples below would violate: a valid value.
CHECKED_SAMPLES: dict[tuple[str, str], Any] = {("audit_log_archives", "month"): 1}


def make(conn: Connection, table_name: str, **values: Any) -> dict[str, Any]:
    table = metadata.tables[table_name]
    unknown = set(values) - set(table.columns.keys())
    if unknown:
        raise KeyError(f"{table_name} has no column(s) {sorted(unknown)}")
    row = dict(values)
    for column in _columns_tenant_first(table):
        if column.name in row or not _needs_value(column):
            continue
        row[column.name] = _value_for(conn, column, row)
    return dict(conn.execute(insert(table).values(row).returning(*table.columns)).mappings().one())


def make_tenant(conn: Connection) -> dict[str, Any]:
    """An organization with its default workspace and an owner: the usual start of a case."""
    owner = make(conn, "users", role="owner", status="active")
    organization = make(conn, "organizations", createdBy=owner["id"])
    workspace = make(conn, "workspaces", organizationId=organization["id"], isDefault=True, name="Main")
    return {"organization": organization, "workspace": workspace, "owner": owner}


def _columns_tenant_first(table: Table) -> list[Column]:
    return sorted(table.columns, key=lambda c: TENANT_COLUMNS.index(c.name) if c.name in TENANT_COLUMNS else 2)


def _needs_value(column: Column) -> bool:
    if column.server_default is not None or column.computed:
        return False
    return column.primary_key or not column.nullable  # a natural primary key (no default) needs a value too


def _value_for(conn: Connection, column: Column, row: dict[str, Any]) -> Any:
    foreign_key = next(iter(column.foreign_keys), None)
    if foreign_key is not None:
        parent = foreign_key.column.table
        inherited = {name: row[name] for name in TENANT_COLUMNS if name in row and name in parent.columns}
        return make(conn, parent.name, **inherited)[foreign_key.column.name]
    allowed = _allowed_values(column)
    return allowed[0] if allowed else _sample(column)


def _allowed_values(column: Column) -> list[str]:
    """The literals of a `CHECK (<column> IN ('a', 'b' …))` on the column's table, if there is one."""
    for constraint in column.table.constraints:
        if isinstance(constraint, CheckConstraint):
            match = re.match(rf"^\s*\"?{re.escape(column.name)}\"?\s+IN\s*\((.*)\)\s*$", str(constraint.sqltext))
            if match:
                return re.findall(r"'([^']*)'", match.group(1))
    return []


def _sample(column: Column) -> Any:
    if (column.table.name, column.name) in CHECKED_SAMPLES:
        return CHECKED_SAMPLES[column.table.name, column.name]
    n = next(_sequence)
    column_type = column.type
    if column.name == "bin":
        return f"{n:012d}"
    if isinstance(column_type, String | Text):
        length = getattr(column_type, "length", None) or 255
        text = f"{column.name}-{n}"
        return text if len(text) <= length else f"{n:0{length}d}"[-length:]
    if isinstance(column_type, Boolean):
        return False
    if isinstance(column_type, Integer):
        return 1
    if isinstance(column_type, Numeric):
        return Decimal("1")
    if isinstance(column_type, DateTime):
        return dt.datetime.combine(TODAY, dt.time(9, 0))
    if isinstance(column_type, Date):
        return TODAY
    if isinstance(column_type, Time):
        return dt.time(9, 0)
    if isinstance(column_type, Uuid):  # an id without a foreign key (e.g. stock_sealed_balances.warehouseId)
        return uuid.uuid4()
    raise TypeError(f"no sample value for {column.table.name}.{column.name} ({column_type})")
