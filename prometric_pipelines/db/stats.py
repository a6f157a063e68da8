"""Facts about the operational tables themselves (not their business content)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.engine import Connection

from prometric_pipelines.db.schema import metadata


def table_row_counts(connection: Connection, table_names: Iterable[str] | None = None) -> dict[str, int]:
    """Exact row counts of the schema's tables, in one statement (table names come from our metadata)."""
    names = sorted(table_names) if table_names is not None else sorted(metadata.tables)
    counts = union_all(
        *(
            select(literal(name).label("table_name"), func.count().label("row_count")).select_from(
                metadata.tables[name]
            )
            for name in names
        )
    )
    return {row.table_name: row.row_count for row in connection.execute(counts)}
