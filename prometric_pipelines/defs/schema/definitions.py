import dagster as dg

from prometric_pipelines.defs.schema.assets import erp_tables, operational_schema, operational_schema_job

defs = dg.Definitions(assets=[operational_schema, *erp_tables], jobs=[operational_schema_job])
