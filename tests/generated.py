"""Helpers for tests over generated data: checksums of the ERP tables and tenant-consistency queries."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from prometric_pipelines.db.schema import ERP_TABLES, metadata
from tests.checksums import database_checksum


def erp_checksums(conn: Connection) -> dict[str, tuple[int, str]]:
    """`database_checksum` of the ERP tables only (platform tables such as the tenant key differ per database)."""
    return {name: value for name, value in database_checksum(conn).items() if name in ERP_TABLES}


def cross_tenant_queries() -> dict[str, str]:
    """For every foreign key between two tenant tables (both with organizationId), a query counting
    rows whose parent belongs to another organization; child tables without organizationId are
    checked through their other parents (all of a row's tenant parents must agree)."""
    queries: dict[str, str] = {}
    for table in metadata.sorted_tables:
        tenant_fks = [
            fk
            for fk in table.foreign_keys
            if "organizationId" in fk.column.table.c and fk.column.table.name != "organizations"
        ]
        if "organizationId" in table.c:
            for fk in tenant_fks:
                parent = fk.column.table.name
                queries[f"{table.name}.{fk.parent.name}"] = (
                    f'SELECT count(*) FROM "{table.name}" AS c JOIN "{parent}" AS p ON p.id = c."{fk.parent.name}" '
                    f'WHERE p."organizationId" <> c."organizationId"'
                )
        elif len(tenant_fks) > 1:
            first, *others = tenant_fks
            for fk in others:
                queries[f"{table.name}.{fk.parent.name}"] = (
                    f'SELECT count(*) FROM "{table.name}" AS c '
                    f'JOIN "{first.column.table.name}" AS a ON a.id = c."{first.parent.name}" '
                    f'JOIN "{fk.column.table.name}" AS b ON b.id = c."{fk.parent.name}" '
                    f'WHERE a."organizationId" <> b."organizationId"'
                )
    return queries


def foreign_user_queries() -> dict[str, str]:
    """Rows of tenant tables that name a user (assignedTo, createdBy …) who is not a member of
    any workspace of the row's organization."""
    queries: dict[str, str] = {}
    for table in metadata.sorted_tables:
        if "organizationId" not in table.c:
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name == "users":
                column = fk.parent.name
                queries[f"{table.name}.{column}"] = (
                    f'SELECT count(*) FROM "{table.name}" AS c WHERE c."{column}" IS NOT NULL '
                    f'AND c."organizationId" IS NOT NULL AND NOT EXISTS ('
                    f'SELECT 1 FROM workspace_users AS wu JOIN workspaces AS w ON w.id = wu."workspaceId" '
                    f'WHERE wu."userId" = c."{column}" AND w."organizationId" = c."organizationId")'
                )
    return queries
