"""Reads the seed document's `CREATE TABLE` / `CREATE INDEX` blocks into plain data.

Used by the catalog test to check the live database against the seed independently of the
SQLAlchemy models (a mistake in the models must not also be a mistake in the check).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

SEED_DOCUMENT = Path(__file__).resolve().parents[1] / "docs" / "prometric-erp-schema.md"

_SQL_BLOCK = re.compile(r"```sql\n(.*?)```", re.S)
_CREATE_TABLE = re.compile(r"CREATE TABLE (\w+) \((.*?)\n\);", re.S)
_CREATE_INDEX = re.compile(r"CREATE INDEX (\w+) ON (\w+)\(([^)]*)\);")
_TYPE = re.compile(
    r"^(UUID|VARCHAR\(\d+\)|TEXT|BOOLEAN|TIMESTAMP|DATE|TIME|DECIMAL\(\d+,\d+\)|INTEGER|BIGINT|JSONB)(\[\])?"
)
_REFERENCES = re.compile(r"REFERENCES (\w+)\((\w+)\)(?: ON DELETE (CASCADE|SET NULL|RESTRICT|NO ACTION))?")
_DEFAULT = re.compile(r"DEFAULT ('[^']*'|\S+?\(\)|[\w.]+)")
_GENERATED = re.compile(r"GENERATED ALWAYS AS \((.*)\) STORED")


@dataclass
class SeedColumn:
    name: str
    sql_type: str  # as written, e.g. "VARCHAR(255)", "TEXT[]"
    not_null: bool
    primary_key: bool
    unique: bool
    default: str | None
    references: tuple[str, str] | None
    on_delete: str  # "NO ACTION" when the seed names none
    generated: str | None


@dataclass
class SeedIndex:
    name: str
    table: str
    columns: list[str]
    unique: bool


@dataclass
class SeedTable:
    name: str
    columns: dict[str, SeedColumn] = field(default_factory=dict)
    indexes: list[SeedIndex] = field(default_factory=list)
    checks: dict[str, str] = field(default_factory=dict)


def _strip_comment(line: str) -> str:
    # "--" never occurs inside the seed's string literals, so a plain split is safe
    return line.split("--", 1)[0].strip().rstrip(",").strip()


def _split_columns(spec: str) -> list[str]:
    return [c.strip() for c in spec.split(",") if c.strip()]


def _parse_column(line: str) -> SeedColumn:
    name, rest = line.split(None, 1)
    type_match = _TYPE.match(rest)
    if not type_match:
        raise ValueError(f"unknown type in seed line: {line!r}")
    sql_type = type_match.group(0)
    modifiers = rest[type_match.end() :]
    ref = _REFERENCES.search(modifiers)
    default = _DEFAULT.search(modifiers)
    generated = _GENERATED.search(modifiers)
    primary_key = "PRIMARY KEY" in modifiers
    return SeedColumn(
        name=name,
        sql_type=sql_type,
        not_null=primary_key or "NOT NULL" in modifiers,
        primary_key=primary_key,
        unique=re.search(r"\bUNIQUE\b", modifiers) is not None,
        default=default.group(1) if default else None,
        references=(ref.group(1), ref.group(2)) if ref else None,
        on_delete=(ref.group(3) or "NO ACTION") if ref else "NO ACTION",
        generated=generated.group(1) if generated else None,
    )


def parse_seed(text: str) -> tuple[dict[str, SeedTable], list[SeedIndex]]:
    """Returns the seed's tables by name and its standalone (example) `CREATE INDEX` statements."""
    tables: dict[str, SeedTable] = {}
    extra_indexes: list[SeedIndex] = []
    for block in _SQL_BLOCK.findall(text):
        for table_name, body in _CREATE_TABLE.findall(block):
            table = SeedTable(table_name)
            for raw in body.splitlines():
                line = _strip_comment(raw)
                if not line:
                    continue
                if m := re.match(r"INDEX (\w+) \(([^)]*)\)", line):
                    table.indexes.append(SeedIndex(m.group(1), table_name, _split_columns(m.group(2)), False))
                elif m := re.match(r"UNIQUE KEY (\w+) \(([^)]*)\)", line):
                    table.indexes.append(SeedIndex(m.group(1), table_name, _split_columns(m.group(2)), True))
                elif m := re.match(r"CONSTRAINT (\w+) CHECK \((.*)\)$", line):
                    table.checks[m.group(1)] = m.group(2)
                else:
                    column = _parse_column(line)
                    table.columns[column.name] = column
            tables[table_name] = table
        for name, table_name, cols in _CREATE_INDEX.findall(block):
            extra_indexes.append(SeedIndex(name, table_name, _split_columns(cols), False))
    return tables, extra_indexes


def load_seed() -> tuple[dict[str, SeedTable], list[SeedIndex]]:
    return parse_seed(SEED_DOCUMENT.read_text(encoding="utf-8"))
