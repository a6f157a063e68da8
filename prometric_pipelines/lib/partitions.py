"""The partitions every job counts in, and how a run is told which ones it covers.

Partition keys are business days or months (`business_calendar.TIMEZONE_NAME`), starting at
`PROMETRIC_PARTITIONS_START` (config.py): the data's first day, so the UI counts no "missing" partitions
before it and "Materialize all" backfills only what there is. A run covers one partition (`dagster/partition`
tag) or a range (`dagster/asset_partition_range_start`/`_end`): build those tags here, never by hand.
"""

import datetime as dt

import dagster as dg
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    PARTITION_NAME_TAG,
)

from prometric_pipelines.business_calendar import TIMEZONE_NAME, month_start
from prometric_pipelines.config import partitions_start


def daily_partitions_definition(end_offset: int = 0) -> dg.DailyPartitionsDefinition:
    """Business days from the partitions' start, up to yesterday (`end_offset=1`: up to today)."""
    return dg.DailyPartitionsDefinition(
        start_date=partitions_start().isoformat(), timezone=TIMEZONE_NAME, end_offset=end_offset
    )


# metrics and alerts: one partition per business day, up to yesterday
daily_partitions = daily_partitions_definition()


def monthly_partitions(first_month: dt.date | None = None, end_offset: int = 0) -> dg.MonthlyPartitionsDefinition:
    """Months from the partitions' start month (or `first_month` when later); `end_offset=1` adds the current one."""
    first = month_start(partitions_start())
    if first_month is not None:
        first = max(first, first_month)
    return dg.MonthlyPartitionsDefinition(start_date=first.isoformat(), timezone=TIMEZONE_NAME, end_offset=end_offset)


def partition_range_tags(first: dt.date, last: dt.date) -> dict[str, str]:
    """Run tags that make one run cover the partitions first..last."""
    return {ASSET_PARTITION_RANGE_START_TAG: first.isoformat(), ASSET_PARTITION_RANGE_END_TAG: last.isoformat()}


def partition_tags(key: dt.date) -> dict[str, str]:
    """Run tags of a run of one day's or one month's partition (a month's key is its first day)."""
    return {PARTITION_NAME_TAG: key.isoformat()}


def partition_day(key: str) -> dt.date:
    """The day of a daily partition key, or the first day of a monthly one."""
    return dt.date.fromisoformat(key)


def partition_days(context: dg.AssetExecutionContext) -> tuple[dt.date, dt.date]:
    """The first and last day of the run's partition range (one day when the run has one partition)."""
    keys = context.partition_key_range
    return partition_day(keys.start), partition_day(keys.end)
