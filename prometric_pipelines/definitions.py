"""The code location: every domain's definitions merged (see workspace.yaml)."""

import dagster as dg

from prometric_pipelines.defs import resources
from prometric_pipelines.defs.audit import definitions as audit
from prometric_pipelines.defs.schema import definitions as schema

defs = dg.Definitions.merge(resources.defs, schema.defs, audit.defs)
