"""Fingerprints of a database, to prove that a refused command or a killed run changed nothing.

`database_checksum(conn)` -> {table: (row count, md5 of its rows in a fixed order)} for every table of
the current schema (Alembic's bookkeeping included). `schema_fingerprint(conn)` describes the
catalog: columns, constraints, indexes, row-level security, policies, grants and our functions.
Run both as the owner or a superuser (row-level security would hide rows from other roles).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

_TABLES = text("""
    SELECT c.relname FROM pg_class c
    WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
    ORDER BY c.relname
""")


def database_checksum(conn: Connection) -> dict[str, tuple[int, str]]:
    result: dict[str, tuple[int, str]] = {}
    for table in conn.execute(_TABLES).scalars():
        quoted = conn.execute(text("SELECT quote_ident(:t)"), {"t": table}).scalar_one()
        count, digest = conn.execute(
            text(f"SELECT count(*), md5(coalesce(string_agg(r::text, E'\\n' ORDER BY r::text), '')) FROM {quoted} r")
        ).one()
        result[table] = (count, digest)
    return result


def schema_fingerprint(conn: Connection) -> dict[str, Any]:
    def rows(sql: str) -> list[tuple]:
        return [tuple(r) for r in conn.execute(text(sql))]

    return {
        "columns": rows("""
            SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                   pg_get_expr(d.adbin, d.adrelid)
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
              AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY 1, 2"""),
        "constraints": rows("""
            SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
            FROM pg_constraint WHERE connamespace = current_schema()::regnamespace ORDER BY 1, 2"""),
        "indexes": rows("""
            SELECT tablename, indexname, indexdef FROM pg_indexes
            WHERE schemaname = current_schema() ORDER BY 1, 2"""),
        "tables": rows("""
            SELECT relname, relrowsecurity, relforcerowsecurity, coalesce(relacl::text, '')
            FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r' ORDER BY 1"""),
        "policies": rows("""
            SELECT tablename, policyname, permissive, roles::text, cmd, qual, with_check
            FROM pg_policies WHERE schemaname = current_schema() ORDER BY 1, 2"""),
        "functions": rows("""
            SELECT p.proname, pg_get_function_identity_arguments(p.oid), p.prosecdef, md5(p.prosrc),
                   coalesce(p.proacl::text, '')
            FROM pg_proc p WHERE p.pronamespace = current_schema()::regnamespace ORDER BY 1, 2"""),
        "triggers": rows("""
            SELECT t.tgrelid::regclass::text, t.tgname, t.tgenabled, t.tgtype
            FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            WHERE c.relnamespace = current_schema()::regnamespace AND NOT t.tgisinternal ORDER BY 1, 2"""),
        "revision": rows("SELECT version_num FROM alembic_version"),
    }
