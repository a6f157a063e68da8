"""Loading the SQL files under `sql/<domain>/<name>.sql` (one query per file, bound parameters)."""

from __future__ import annotations

from functools import cache

from sqlalchemy import TextClause, text

from prometric_pipelines.config import PROJECT_ROOT

SQL_DIR = PROJECT_ROOT / "sql"


@cache
def load_sql(domain: str, name: str) -> TextClause:
    """`load_sql("metrics", "daily_orders")` reads sql/metrics/daily_orders.sql as a text() clause."""
    path = SQL_DIR / domain / f"{name}.sql"
    return text(path.read_text(encoding="utf-8"))
