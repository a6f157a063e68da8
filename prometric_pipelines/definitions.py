"""The code location: every domain's definitions merged (see workspace.yaml)."""

import dagster as dg

from prometric_pipelines.defs import resources
from prometric_pipelines.defs.alerts import definitions as alerts
from prometric_pipelines.defs.audit import definitions as audit
from prometric_pipelines.defs.maintenance import definitions as maintenance
from prometric_pipelines.defs.metrics import definitions as metrics
from prometric_pipelines.defs.monitoring import definitions as operations
from prometric_pipelines.defs.payroll import definitions as payroll
from prometric_pipelines.defs.schema import definitions as schema
from prometric_pipelines.defs.stock import definitions as stock

defs = dg.Definitions.merge(
    resources.defs,
    schema.defs,
    metrics.defs,
    alerts.defs,
    payroll.defs,
    stock.defs,
    audit.defs,
    maintenance.defs,
    operations.defs,
)
