"""Maintenance jobs and their schedules (business time), after the nightly jobs:

| time | job |
|---|---|
| every hour at :15 | `database_health_job` |
| 03:30 daily | `database_backup_job` (after metrics 01:00, stock 02:00, audit archive 03:00) |
| 04:30 daily | `table_statistics_job` |
| 05:00 Sunday | `vacuum_job` |
| 06:00 Sunday | `backup_restore_check_job` (Sunday's backup) |
| 05:30 on the 2nd | `reindex_job` (the 1st belongs to payroll and the audit archive) |
"""

import dagster as dg

from prometric_pipelines.defs.maintenance.assets import (
    database_backup,
    database_health,
    reindex,
    table_statistics,
    vacuum,
)
from prometric_pipelines.defs.maintenance.checks import backup_restore_check
from prometric_pipelines.lib.automation import business_schedule_definition

table_statistics_job = dg.define_asset_job(
    "table_statistics_job", selection=[table_statistics], description="ANALYZE the tables changed since their last."
)
vacuum_job = dg.define_asset_job("vacuum_job", selection=[vacuum], description="VACUUM tables with many dead tuples.")
reindex_job = dg.define_asset_job(
    "reindex_job", selection=[reindex], description="REINDEX CONCURRENTLY the bloated indexes, one at a time."
)
database_backup_job = dg.define_asset_job(
    "database_backup_job",
    selection=dg.AssetSelection.assets(database_backup).without_checks(),
    description="pg_dump of the operational database to the archive storage, with retention (`prometric db backup`).",
)
backup_restore_check_job = dg.define_asset_job(
    "backup_restore_check_job",
    selection=dg.AssetSelection.checks(backup_restore_check),
    description="Restore the newest backup into a scratch database and compare it with its manifest.",
)
database_health_job = dg.define_asset_job(
    "database_health_job", selection=[database_health], description="Snapshot of the database's health."
)


maintenance_schedules = [
    business_schedule_definition(
        "database_health_schedule", "15 * * * *", database_health_job, "Hourly health snapshot."
    ),
    business_schedule_definition("database_backup_schedule", "30 3 * * *", database_backup_job, "03:30: daily backup."),
    business_schedule_definition(
        "table_statistics_schedule", "30 4 * * *", table_statistics_job, "04:30: ANALYZE changed tables."
    ),
    business_schedule_definition(
        "vacuum_schedule", "0 5 * * 0", vacuum_job, "Sunday 05:00: VACUUM tables with many dead tuples."
    ),
    business_schedule_definition(
        "backup_restore_check_schedule", "0 6 * * 0", backup_restore_check_job, "Sunday 06:00: restore check."
    ),
    business_schedule_definition(
        "reindex_schedule", "30 5 2 * *", reindex_job, "The 2nd, 05:30: rebuild bloated indexes."
    ),
]
