"""The job that applies the operational schema (no schedule: `prometric db migrate` and the demo run it)."""

import dagster as dg

from prometric_pipelines.defs.schema.assets import operational_schema

operational_schema_job = dg.define_asset_job(
    "operational_schema_job",
    selection=[operational_schema],
    description="Applies pending migrations of the operational schema.",
)
