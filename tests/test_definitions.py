"""The Dagster code location: loads, validates, and the schema asset really migrates."""

from __future__ import annotations

import os
import subprocess
import sys

import dagster as dg
import pytest

from prometric_pipelines.config import PROJECT_ROOT
from prometric_pipelines.db.migrate import head_revision
from prometric_pipelines.db.schema import PLATFORM_TABLES, TABLE_MODULES, metadata
from prometric_pipelines.definitions import defs
from prometric_pipelines.defs.schema.assets import TABLES_PRODUCED_BY_JOBS, erp_table_key, operational_schema
from prometric_pipelines.errors import PrometricError
from prometric_pipelines.lib.resources import PostgresResource
from prometric_pipelines.orchestration import run_job


def test_asset_graph_has_the_schema_and_every_erp_table_downstream_of_it():
    specs = {spec.key: spec for spec in defs.resolve_all_asset_specs()}
    assert dg.AssetKey("operational_schema") in specs
    erp = {key: spec for key, spec in specs.items() if key.path[0] == "erp"}
    assert len(erp) == len(metadata.tables) - len(TABLES_PRODUCED_BY_JOBS) - len(PLATFORM_TABLES) == 37
    for module, tables in TABLE_MODULES.items():
        for table in tables:
            if table in TABLES_PRODUCED_BY_JOBS:
                continue
            spec = erp[erp_table_key(table)]
            assert spec.group_name == module
            assert [dep.asset_key for dep in spec.deps] == [dg.AssetKey("operational_schema")]
            assert spec.metadata["dagster/table_name"] == f"public.{table}"
    assert specs[erp_table_key("orders")].group_name == "sales"
    assert specs[erp_table_key("customers")].group_name == "crm"
    with pytest.raises(KeyError):
        erp_table_key("no_such_table")


def test_definitions_validate_from_the_workspace_file(dagster_home):
    result = subprocess.run(
        [sys.executable, "-m", "dagster", "definitions", "validate", "-w", str(PROJECT_ROOT / "workspace.yaml")],
        env={"PATH": "/usr/bin:/bin", "DAGSTER_HOME": str(dagster_home)},
        capture_output=True,
        text=True,
        timeout=300,
        cwd=PROJECT_ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All code locations passed validation" in result.stdout + result.stderr


def test_materialising_the_schema_asset_migrates_and_reports(empty_database_url):
    resources = {
        "schema_postgres": PostgresResource(database_url=empty_database_url.render_as_string(hide_password=False))
    }
    with dg.DagsterInstance.ephemeral() as instance:
        first = dg.materialize([operational_schema], resources=resources, instance=instance)
        second = dg.materialize([operational_schema], resources=resources, instance=instance)
    assert first.success and second.success
    meta = first.asset_materializations_for_node("operational_schema")[0].metadata
    assert meta["revision"].value == head_revision()
    assert meta["previous_revision"].value == "(empty database)"
    assert meta["table_count"].value == len(metadata.tables)
    assert meta["applied_migrations"].value[-1] == head_revision()
    assert "***" in meta["database"].value or empty_database_url.password is None
    again = second.asset_materializations_for_node("operational_schema")[0].metadata
    assert again["applied_migrations"].value == [] and again["revision"].value == head_revision()


def test_cli_runs_land_in_the_local_instance(empty_database_url, dagster_home, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", empty_database_url.render_as_string(hide_password=False))
    result = run_job("operational_schema_job")
    assert result.success
    assert "DAGSTER_HOME" not in os.environ  # the run did not leak its instance into our environment
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        runs = instance.get_runs()
        assert [run.job_name for run in runs] == ["operational_schema_job"]
        event = instance.get_latest_materialization_event(dg.AssetKey("operational_schema"))
        assert event is not None and event.run_id == runs[0].run_id


def test_a_run_against_an_unreachable_database_fails_with_one_clear_message(dagster_home, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://erp:pw@127.0.0.1:9/erp")
    with pytest.raises(PrometricError) as failure:
        run_job("operational_schema_job")
    message = str(failure.value)
    assert message.startswith("operational_schema_job failed (run ")
    assert "operational_schema: cannot connect to PostgreSQL at postgresql+psycopg://erp:***@127.0.0.1:9/erp" in message
    assert "\n" not in message
