import dagster as dg

from prometric_pipelines.defs.stock.assets import (
    stock_reconciliation,
    stock_reconciliation_job,
    stock_reconciliation_schedule,
)

defs = dg.Definitions(
    assets=[stock_reconciliation], jobs=[stock_reconciliation_job], schedules=[stock_reconciliation_schedule]
)
