"""What the Dagster UI shows: every check explained, partitions that start where the data starts."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest

from prometric_pipelines import config
from prometric_pipelines.definitions import defs
from prometric_pipelines.errors import ConfigError


def test_every_asset_check_has_a_description():
    graph = defs.resolve_asset_graph()
    keys = graph.asset_check_keys
    assert len(keys) >= 12  # metrics, stock, audit, payroll, maintenance, freshness checks
    missing = sorted(key.to_user_string() for key in keys if not (graph.get_check_spec(key).description or "").strip())
    assert missing == []


def test_partitions_start_setting(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(config.PARTITIONS_START_VARIABLE, raising=False)
    assert config.partitions_start() == config.DEFAULT_PARTITIONS_START
    monkeypatch.setenv(config.PARTITIONS_START_VARIABLE, "2025-12-07")
    assert config.partitions_start() == dt.date(2025, 12, 7)
    for bad in ("2025-13-01", "yesterday", "2017-12-31"):
        monkeypatch.setenv(config.PARTITIONS_START_VARIABLE, bad)
        with pytest.raises(ConfigError, match=config.PARTITIONS_START_VARIABLE):
            config.partitions_start()


def test_partition_definitions_start_at_the_configured_day(monkeypatch: pytest.MonkeyPatch):
    """The daily assets start on the day itself, the monthly ones on its month (payroll not before the
    first year with payroll parameters)."""
    from prometric_pipelines.defs.audit import assets as audit
    from prometric_pipelines.defs.payroll import assets as payroll
    from prometric_pipelines.defs.stock import assets as stock
    from prometric_pipelines.lib import partitions as metrics

    monkeypatch.setenv(config.PARTITIONS_START_VARIABLE, "2025-12-07")
    try:
        modules = [importlib.reload(m) for m in (metrics, stock, audit, payroll)]
        metrics_mod, stock_mod, audit_mod, payroll_mod = modules
        assert metrics_mod.daily_partitions.get_first_partition_key() == "2025-12-07"
        assert stock_mod.stock_partitions.get_first_partition_key() == "2025-12-07"
        assert audit_mod.audit_archive_partitions.get_first_partition_key() == "2025-12-01"
        assert payroll_mod.payroll_partitions.get_first_partition_key() == "2025-12-01"
        monkeypatch.setenv(config.PARTITIONS_START_VARIABLE, "2019-05-20")
        payroll_mod = importlib.reload(payroll)
        assert payroll_mod.payroll_partitions.get_first_partition_key() == "2025-01-01"
    finally:
        monkeypatch.delenv(config.PARTITIONS_START_VARIABLE)
        for module in (metrics, stock, audit, payroll):
            importlib.reload(module)
