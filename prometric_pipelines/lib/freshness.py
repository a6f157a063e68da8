"""Partition freshness: whether the exact partition a deadline asks for exists.

Two layers, because Dagster 1.13's `FreshnessPolicy` (attached to the assets, shown in the UI, evaluated
by the daemon) looks at the asset's latest materialization, whatever partition it was: a backfill of
an old month at 00:30 on the 1st would count. The partition checks (each domain's `checks.py`) ask for the
exact partition (prometric_pipelines/monitoring/freshness.py) and run from `freshness_checks_schedule`
(defs/monitoring) after each deadline.
"""

import datetime as dt

import dagster as dg
from sqlalchemy.exc import SQLAlchemyError

from prometric_pipelines.alerts.record import record_stale_partition
from prometric_pipelines.errors import PrometricError
from prometric_pipelines.lib.resources import PostgresResource


def partition_freshness(
    instance: dg.DagsterInstance, asset: str, partition_key: str, postgres: PostgresResource | None = None
) -> dg.AssetCheckResult:
    """Passes when the partition has a materialization in the instance; else, with `postgres`, also records
    a freshness alert for every organization (the one model of alerts, docs/alerts.md)."""
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey(asset), asset_partitions=[partition_key]), limit=1
    ).records
    if records:
        when = dt.datetime.fromtimestamp(records[0].timestamp, dt.UTC)
        return dg.AssetCheckResult(
            passed=True,
            description=f"partition {partition_key} materialized at {when:%Y-%m-%d %H:%M} UTC",
            metadata={"expected_partition": partition_key, "materialized_at": dg.MetadataValue.timestamp(when)},
        )
    if postgres is not None:
        try:
            with postgres.get_engine().begin() as conn:
                record_stale_partition(conn, asset, partition_key, dt.date.fromisoformat(partition_key))
        except (PrometricError, SQLAlchemyError) as error:  # the check's verdict stands without its alert
            dg.get_dagster_logger().warning(f"freshness alert not recorded: {str(error).splitlines()[0]}")
    return dg.AssetCheckResult(
        passed=False,
        description=f"partition {partition_key} is not materialized yet",
        metadata={"expected_partition": partition_key},
    )
