"""The code location's resources take what the environment sets through `dagster.EnvVar`, which a run resolves
when it starts, and keep their defaults when it sets nothing."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from prometric_pipelines.config import ROLE_URL_VARIABLES, normalize_database_url
from prometric_pipelines.defs import resources


def test_the_archive_comes_from_archive_url_through_env_var(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("ARCHIVE_URL", str(tmp_path / "archive-a"))
    archive = resources._archive()
    assert isinstance(archive.url, dg.EnvVar) and archive.url.env_var_name == "ARCHIVE_URL"
    # the variable is read when a run initialises the resource, not when the definitions load
    monkeypatch.setenv("ARCHIVE_URL", str(tmp_path / "archive-b"))
    assert archive.process_config_and_initialize().archive().root == (tmp_path / "archive-b").resolve()

    monkeypatch.delenv("ARCHIVE_URL")
    monkeypatch.setenv("PROMETRIC_HOME", str(tmp_path / "home"))
    default = resources._archive()
    assert default.url is None
    assert default.process_config_and_initialize().archive().root == (tmp_path / "home" / "archive").resolve()


@pytest.mark.parametrize(
    ("login", "variable"), [("jobs", "JOBS_DATABASE_URL"), ("maintenance", "MAINTENANCE_DATABASE_URL")]
)
def test_a_login_url_the_environment_sets_comes_through_env_var(
    monkeypatch: pytest.MonkeyPatch, login: str, variable: str
):
    assert variable in ROLE_URL_VARIABLES.values()
    monkeypatch.setenv(variable, "postgresql://someone:secret@db.example:5433/erp")
    postgres = resources._postgres(login)  # type: ignore[arg-type]
    assert isinstance(postgres.database_url, dg.EnvVar) and postgres.database_url.env_var_name == variable
    with postgres.process_config_and_initialize_cm() as initialized:
        assert initialized.url() == normalize_database_url("postgresql://someone:secret@db.example:5433/erp")

    monkeypatch.delenv(variable)
    unset = resources._postgres(login)  # type: ignore[arg-type]
    assert unset.database_url is None and unset.login == login


def test_the_migration_resource_takes_database_url(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://owner:pw@db.example/erp")
    schema = resources._postgres("owner")
    assert isinstance(schema.database_url, dg.EnvVar) and schema.database_url.env_var_name == "DATABASE_URL"
    with schema.process_config_and_initialize_cm() as initialized:
        assert initialized.url().username == "owner" and initialized.url().drivername == "postgresql+psycopg"
