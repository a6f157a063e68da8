"""What each login may do, read from the catalog: the table of docs/security.md ("Logins and their grants").

`role_grants(conn, role)` groups the role's privileges on the schema's tables by (privilege, columns it
does NOT cover) and lists its executable functions; `grants_markdown(conn, roles)` writes them as the
documentation's table, so the test (tests/test_logins.py) compares the documented table with the live
catalog, and a changed grant shows the table to paste.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from prometric_pipelines.sql import load_sql

TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")


@dataclass(frozen=True, order=True)
class Grant:
    role: str
    privilege: str  # a table privilege, or EXECUTE for functions
    withheld_columns: tuple[str, ...]  # columns the privilege does not cover (column-level grants)
    objects: tuple[str, ...]  # tables, or functions for EXECUTE


def role_grants(conn: Connection, role: str) -> list[Grant]:
    """The role's grants in the current schema, grouped as the documentation lists them."""
    rows = conn.execute(load_sql("security", "role_column_privileges"), {"role": role}).all()
    # (table, privilege) -> (granted columns, every column)
    per_table: dict[tuple[str, str], tuple[set[str], set[str]]] = {}
    for table, column, privilege, granted in rows:
        have, every = per_table.setdefault((table, privilege), (set(), set()))
        every.add(column)
        if granted:
            have.add(column)
    groups: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for (table, privilege), (have, every) in per_table.items():
        if have:
            groups.setdefault((privilege, tuple(sorted(every - have))), []).append(table)
    for table, privilege in conn.execute(load_sql("security", "role_table_only_privileges"), {"role": role}).all():
        groups.setdefault((privilege, ()), []).append(table)
    grants = [Grant(role, privilege, withheld, tuple(sorted(set(tables)))) for (privilege, withheld), tables in
              groups.items()]  # fmt: skip
    functions = conn.execute(load_sql("security", "role_functions"), {"role": role}).scalars().all()
    if functions:
        grants.append(Grant(role, "EXECUTE", (), tuple(sorted(functions))))
    order = {p: i for i, p in enumerate((*TABLE_PRIVILEGES, "EXECUTE"))}
    return sorted(grants, key=lambda g: (order[g.privilege], g.withheld_columns, g.objects))


def _names(names: Iterable[str]) -> str:
    return ", ".join(f"`{n}`" for n in names) or "—"


def grants_markdown(conn: Connection, roles: Iterable[str]) -> str:
    """The documentation's table: one row per role, privilege and withheld columns."""
    lines = ["| role | privilege | on | except the columns |", "|---|---|---|---|"]
    for role in roles:
        for grant in role_grants(conn, role):
            objects, withheld = _names(grant.objects), _names(grant.withheld_columns)
            lines.append(f"| `{role}` | {grant.privilege} | {objects} | {withheld} |")
    return "\n".join(lines)
