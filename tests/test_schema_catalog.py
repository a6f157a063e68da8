"""The live catalog of a migrated database against the seed document, item by item.

The expected side comes from parsing `docs/prometric-erp-schema.md` (tests/seed_schema.py), not
from our SQLAlchemy models, so a slip in the models shows here. Deviations are listed below,
each one also explained in docs/schema-notes.md (checked too).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import pytest
from sqlalchemy import text

from prometric_pipelines.config import PROJECT_ROOT
from prometric_pipelines.db.schema import PLATFORM_TABLES
from tests.seed_schema import SeedColumn, load_seed

SCHEMA_NOTES = (PROJECT_ROOT / "docs" / "schema-notes.md").read_text(encoding="utf-8")

# Column-level UNIQUE in the seed that we enforce per organization instead.
PER_TENANT_UNIQUE = {
    ("products", "code"),
    ("orders", "orderNumber"),
    ("production_orders", "orderNumber"),
    ("invoices", "invoiceNumber"),
    ("payments", "paymentNumber"),
    ("expenses", "expenseNumber"),
    ("payroll", "payrollNumber"),
    ("warehouses", "code"),
}
# Seed UNIQUE KEYs built as partial unique indexes: name -> predicate.
PARTIAL_UNIQUE = {
    "unique_default_workspace": '"isDefault"',
    "unique_warehouse_product": '("batchNumber" IS NOT NULL)',
}
# Indexes we add on seed tables: name -> (table, columns, unique, predicate).
EXTRA_INDEXES = {
    "idx_audit_logs_org_created": ("audit_logs", ["organizationId", "createdAt"], False, None),
    "unique_warehouse_product_no_batch": ("inventory", ["warehouseId", "productId"], True, '("batchNumber" IS NULL)'),
    # the metrics job's nightly window (date-leading: no skip scan before PostgreSQL 18)
    "idx_orders_order_date": ("orders", ["orderDate"], False, None),
    "idx_customers_created": ("customers", ["createdAt"], False, None),
    "idx_invoices_issue_date": ("invoices", ["issueDate"], False, None),
    "idx_invoices_open": ("invoices", ["issueDate"], False, '("paidAmount" < "totalAmount")'),
    "idx_expenses_expense_date": ("expenses", ["expenseDate"], False, None),
    "idx_stock_movements_created": ("stock_movements", ["createdAt"], False, None),
    "idx_production_orders_actual_end": ("production_orders", ["actualEndDate"], False, None),
    "idx_leaves_end_date": ("leaves", ["endDate"], False, None),
    "idx_tasks_created": ("tasks", ["createdAt"], False, None),
    "idx_tasks_completed": ("tasks", ["completedAt"], False, None),
    "idx_deals_created": ("deals", ["createdAt"], False, None),
    "idx_payroll_org_period": ("payroll", ["organizationId", "year", "month"], False, None),
    # the stock reconciliation's nightly range: one organization's movements after its sealed month
    "idx_stock_movements_org_created": ("stock_movements", ["organizationId", "createdAt"], False, None),
}
# Columns widened where the seed's type overflows: (table, column) -> the type we use.
WIDENED_COLUMNS = {("metrics", "change"): "numeric(20,2)"}
# Tables range-partitioned on a column, which joins the primary key (and so becomes NOT NULL).
PARTITIONED_TABLES = {"audit_logs": "createdAt"}
# Example indexes whose documented columns do not exist: name -> the columns we use.
EXAMPLE_INDEX_COLUMNS = {"idx_deals_org_workspace_status": ["organizationId", "workspaceId", "stage"]}
# Tables that are not in the seed: projects (a deviation) and the platform's own, each documented.
EXTRA_TABLES = {"projects", "alembic_version", *PLATFORM_TABLES}

SEED_TYPE_TO_POSTGRES = {
    "UUID": "uuid",
    "TEXT": "text",
    "BOOLEAN": "boolean",
    "TIMESTAMP": "timestamp without time zone",
    "DATE": "date",
    "TIME": "time without time zone",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "JSONB": "jsonb",
}
DELETE_RULES = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}


def postgres_type(seed_type: str) -> str:
    array = seed_type.endswith("[]")
    base = seed_type.removesuffix("[]")
    if m := re.fullmatch(r"VARCHAR\((\d+)\)", base):
        rendered = f"character varying({m.group(1)})"
    elif m := re.fullmatch(r"DECIMAL\((\d+),(\d+)\)", base):
        rendered = f"numeric({m.group(1)},{m.group(2)})"
    else:
        rendered = SEED_TYPE_TO_POSTGRES[base]
    return rendered + ("[]" if array else "")


def normalize_default(expression: str | None) -> str | None:
    """`'KZT'::character varying` -> `'kzt'`, `(0)::numeric` -> `0`, `TRUE` -> `true`."""
    if expression is None:
        return None
    value = re.sub(r"::[a-z ]+(\(\d+(,\d+)?\))?(\[\])?", "", expression).strip()
    while value.startswith("(") and value.endswith(")"):
        value = value[1:-1].strip()
    try:
        return str(Decimal(value).normalize())
    except InvalidOperation:
        return value.lower()


def normalize_expression(expression: str) -> str:
    return re.sub(r'[\s"()]', "", expression).lower()


def quoted_literals(expression: str) -> set[str]:
    return set(re.findall(r"'([^']*)'", expression))


@pytest.fixture(scope="module")
def catalog(engine):
    with engine.connect() as conn:
        columns = {
            (r.table, r.column): r
            for r in conn.execute(
                text("""
                SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
                       a.attnotnull AS not_null, a.attgenerated AS generated,
                       pg_get_expr(d.adbin, d.adrelid) AS default
                FROM pg_attribute a
                JOIN pg_class c ON c.oid = a.attrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
                  AND a.attnum > 0 AND NOT a.attisdropped
            """)
            )
        }
        indexes = {
            r.name: r
            for r in conn.execute(
                text("""
                SELECT i.relname AS name, t.relname AS table, ix.indisunique AS unique, ix.indisprimary AS primary,
                       pg_get_expr(ix.indpred, ix.indrelid) AS predicate,
                       ARRAY(SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, ord)
                             JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum
                             ORDER BY k.ord) AS columns
                FROM pg_index ix
                JOIN pg_class i ON i.oid = ix.indexrelid
                JOIN pg_class t ON t.oid = ix.indrelid
                JOIN pg_namespace n ON n.oid = t.relnamespace
                WHERE n.nspname = current_schema()
            """)
            )
        }
        foreign_keys = {
            (r.table, r.column): r
            for r in conn.execute(
                text("""
                SELECT c.conrelid::regclass::text AS table, a.attname AS column,
                       c.confrelid::regclass::text AS ref_table, ra.attname AS ref_column,
                       c.confdeltype AS on_delete
                FROM pg_constraint c
                JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
                JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1]
                WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
            """)
            )
        }
        checks = {
            (r.table, r.name): r.definition
            for r in conn.execute(
                text("""
                SELECT conrelid::regclass::text AS table, conname AS name, pg_get_constraintdef(oid) AS definition
                FROM pg_constraint WHERE contype = 'c' AND connamespace = current_schema()::regnamespace
            """)
            )
        }
        tables = {  # partitions are parts of their table, not tables of the schema
            r[0]
            for r in conn.execute(
                text("""SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace
                        AND relkind IN ('r', 'p') AND NOT relispartition""")
            )
        }
        partitioned = {
            r.table: r.key
            for r in conn.execute(
                text("""SELECT c.relname AS table, a.attname AS key
                        FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid
                        JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
                        WHERE c.relnamespace = current_schema()::regnamespace""")
            )
        }
    return {
        "columns": columns,
        "indexes": indexes,
        "fks": foreign_keys,
        "checks": checks,
        "tables": tables,
        "partitioned": partitioned,
    }


@pytest.fixture(scope="module")
def seed():
    return load_seed()


def check_column(problems: list[str], live, table: str, column: SeedColumn) -> None:
    where = f"{table}.{column.name}"
    if live is None:
        problems.append(f"{where}: column missing")
        return
    if live.type != WIDENED_COLUMNS.get((table, column.name), postgres_type(column.sql_type)):
        problems.append(f"{where}: type {live.type}, seed says {column.sql_type}")
    if live.not_null != (column.not_null or PARTITIONED_TABLES.get(table) == column.name):
        problems.append(f"{where}: NOT NULL is {live.not_null}, seed says {column.not_null}")
    if column.generated:
        if live.generated != "s":
            problems.append(f"{where}: not a stored generated column")
        elif normalize_expression(live.default) != normalize_expression(column.generated):
            problems.append(f"{where}: generated as {live.default}, seed says {column.generated}")
    elif normalize_default(live.default) != normalize_default(column.default):
        problems.append(f"{where}: default {live.default!r}, seed says {column.default!r}")


def test_every_seed_table_and_column_matches(catalog, seed):
    tables, _ = seed
    assert len(tables) == 38
    problems: list[str] = []
    for table in tables.values():
        if table.name not in catalog["tables"]:
            problems.append(f"{table.name}: table missing")
            continue
        for column in table.columns.values():
            check_column(problems, catalog["columns"].get((table.name, column.name)), table.name, column)
        documented = set(table.columns)
        extra = {c for (t, c) in catalog["columns"] if t == table.name} - documented
        problems += [f"{table.name}.{c}: column not in the seed" for c in sorted(extra)]
    assert not problems, "\n".join(problems)


def test_foreign_keys_and_their_delete_rules(catalog, seed):
    tables, _ = seed
    problems: list[str] = []
    expected_count = 0
    for table in tables.values():
        for column in table.columns.values():
            if column.references is None:
                continue
            expected_count += 1
            live = catalog["fks"].get((table.name, column.name))
            where = f"{table.name}.{column.name}"
            if live is None:
                problems.append(f"{where}: foreign key to {column.references[0]} missing")
                continue
            if (live.ref_table, live.ref_column) != column.references:
                problems.append(
                    f"{where}: references {live.ref_table}.{live.ref_column}, seed says {column.references}"
                )
            if DELETE_RULES[live.on_delete] != column.on_delete:
                problems.append(f"{where}: ON DELETE {DELETE_RULES[live.on_delete]}, seed says {column.on_delete}")
    assert expected_count == 120
    assert not problems, "\n".join(problems)
    # tasks.projectId points at the projects table the seed forgot to document
    assert catalog["fks"][("tasks", "projectId")].ref_table == "projects"


def test_named_indexes_unique_keys_and_examples(catalog, seed):
    tables, example_indexes = seed
    problems: list[str] = []
    documented = [ix for t in tables.values() for ix in t.indexes] + example_indexes
    assert len(documented) == 140
    for index in documented:
        live = catalog["indexes"].get(index.name)
        if live is None:
            problems.append(f"{index.table}: index {index.name} missing")
            continue
        expected_columns = EXAMPLE_INDEX_COLUMNS.get(index.name, index.columns)
        if live.table != index.table or list(live.columns) != expected_columns:
            problems.append(
                f"{index.name}: on {live.table}{list(live.columns)}, seed says {index.table}{index.columns}"
            )
        if live.unique != index.unique:
            problems.append(f"{index.name}: unique is {live.unique}, seed says {index.unique}")
        if live.predicate != PARTIAL_UNIQUE.get(index.name):
            problems.append(f"{index.name}: predicate {live.predicate!r}, expected {PARTIAL_UNIQUE.get(index.name)!r}")
    for name, (table, columns, unique, predicate) in EXTRA_INDEXES.items():
        live = catalog["indexes"].get(name)
        if live is None or (live.table, list(live.columns), live.unique, live.predicate) != (
            table,
            columns,
            unique,
            predicate,
        ):
            problems.append(f"{name}: expected on {table}{columns} unique={unique} where {predicate}, found {live}")
    assert not problems, "\n".join(problems)


def test_column_unique_constraints(catalog, seed):
    tables, _ = seed
    unique_keys = {
        (ix.table, tuple(ix.columns)) for ix in catalog["indexes"].values() if ix.unique and not ix.predicate
    }
    problems: list[str] = []
    seen = 0
    for table in tables.values():
        for column in table.columns.values():
            if not column.unique:
                continue
            seen += 1
            per_tenant = (table.name, column.name) in PER_TENANT_UNIQUE
            key = ("organizationId", column.name) if per_tenant else (column.name,)
            if (table.name, key) not in unique_keys:
                problems.append(f"{table.name}.{column.name}: no UNIQUE on {list(key)}")
            # and nothing stricter than documented: a per-tenant number is not globally unique
            if per_tenant and (table.name, (column.name,)) in unique_keys:
                problems.append(f"{table.name}.{column.name}: still unique across organizations")
    assert seen == 13
    assert not problems, "\n".join(problems)


def test_primary_keys_and_role_check(catalog, seed):
    tables, _ = seed
    assert catalog["partitioned"] == PARTITIONED_TABLES
    for name in tables:
        key = ["id", PARTITIONED_TABLES[name]] if name in PARTITIONED_TABLES else ["id"]
        assert catalog["indexes"][f"{name}_pkey"].columns == key, name
    definition = catalog["checks"][("users", "check_role")]
    assert (
        quoted_literals(definition)
        == quoted_literals(tables["users"].checks["check_role"])
        == {
            "owner",
            "manager",
            "employee",
            "investor",
        }
    )
    assert "role" in definition


def test_no_undocumented_indexes_on_seed_tables(catalog, seed):
    tables, example_indexes = seed
    allowed = {ix.name for t in tables.values() for ix in t.indexes} | {ix.name for ix in example_indexes}
    allowed |= set(EXTRA_INDEXES) | {f"{t}_pkey" for t in tables}
    allowed |= {ix.name for ix in catalog["indexes"].values() if ix.name.endswith("_key")}  # UNIQUE, checked above
    extra = sorted(ix.name for ix in catalog["indexes"].values() if ix.table in tables and ix.name not in allowed)
    assert not extra, f"indexes not in the seed nor in docs/schema-notes.md: {extra}"
    assert catalog["tables"] - set(tables) == EXTRA_TABLES


def test_every_deviation_is_explained_in_schema_notes():
    names = (
        [f"{t}.{c}" for t, c in sorted(PER_TENANT_UNIQUE)]
        + list(PARTIAL_UNIQUE)
        + list(EXTRA_INDEXES)
        + list(EXAMPLE_INDEX_COLUMNS)
        + [f"{t}.{c}" for t, c in WIDENED_COLUMNS]
        + [f"{t}.{c}" for t, c in PARTITIONED_TABLES.items()]
        + ["projects"]
        + list(PLATFORM_TABLES)
    )
    missing = [name for name in names if name not in SCHEMA_NOTES]
    assert not missing, f"docs/schema-notes.md does not mention: {missing}"


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("'KZT'::character varying", "'kzt'"),
        ("(0)::numeric", "0"),
        ("12", "12"),
        ("12.00", "12"),
        ("true", "true"),
        ("CURRENT_TIMESTAMP", "current_timestamp"),
        ("'шт'::character varying", "'шт'"),
        (None, None),
    ],
)
def test_default_normalisation(expression, expected):
    # the comparison above is only as good as this normalisation
    assert normalize_default(expression) == expected
