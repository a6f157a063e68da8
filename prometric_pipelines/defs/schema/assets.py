"""The operational schema (applied by Alembic) and the ERP's tables that depend on it."""

import dagster as dg
from sqlalchemy import Table

from prometric_pipelines.config import display_url
from prometric_pipelines.db.migrate import migrate
from prometric_pipelines.db.schema import TABLE_MODULES, metadata
from prometric_pipelines.lib.resources import PostgresResource

# Written by job assets (metrics: the metrics assets; payroll: `payroll_run`), so not declared as ERP inputs here.
TABLES_PRODUCED_BY_JOBS = frozenset({"metrics", "payroll"})


@dg.asset(
    group_name="platform",
    kinds={"postgres", "alembic"},
    pool="postgres",
    description="The ERP's operational schema: applies pending Alembic migrations (advisory-locked).",
)
def operational_schema(context: dg.AssetExecutionContext, schema_postgres: PostgresResource) -> dg.MaterializeResult:
    # the migration is the one step that holds the owner's URL (docs/security.md, "Logins")
    result = migrate(schema_postgres.get_engine())
    if result.applied:
        context.log.debug(f"applied {len(result.applied)} migration(s): {', '.join(result.applied)}")
    else:
        context.log.debug(f"already at {result.revision}; nothing to apply")  # the CLI reports it
    return dg.MaterializeResult(
        metadata={
            "revision": result.revision,
            "previous_revision": result.revision_before or "(empty database)",
            "applied_migrations": dg.MetadataValue.json(result.applied),
            "table_count": result.table_count,
            "database": display_url(schema_postgres.get_engine().url),
            "duration_s": round(result.seconds, 3),
        }
    )


def erp_table_key(table_name: str) -> dg.AssetKey:
    """Asset key of an ERP table, for `deps=` of the jobs that read it."""
    if table_name not in metadata.tables:
        raise KeyError(f"{table_name!r} is not a table of the operational schema")
    return dg.AssetKey(["erp", table_name])


def _column_schema(table: Table) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=column.name,
                type=str(column.type),
                constraints=dg.TableColumnConstraints(nullable=bool(column.nullable), unique=bool(column.unique)),
            )
            for column in table.columns
        ]
    )


erp_tables = [
    dg.AssetSpec(
        key=erp_table_key(table_name),
        deps=[operational_schema],
        group_name=module,
        kinds={"postgres", "table"},
        description=f"ERP table `{table_name}` ({module}), written by the ERP application.",
        metadata={
            "dagster/table_name": f"public.{table_name}",
            "dagster/column_schema": _column_schema(metadata.tables[table_name]),
        },
    )
    for module, table_names in TABLE_MODULES.items()
    for table_name in table_names
    if table_name not in TABLES_PRODUCED_BY_JOBS
]
