"""`config.py` is the one module that reads the environment: every other module of the package and
of the dashboards asks it (a typed function per setting), and Dagster's `EnvVar` feeds resources in
`defs/resources.py` only.

The checker reads each file's syntax tree: `os.environ` in any use (subscript, `.get`, a copy,
`**os.environ`, an argument), `os.environb`, `os.getenv`/`os.getenvb`, those names imported from
`os` (also under another name, or through `import os as …`), and `EnvVar` from `dagster`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from prometric_pipelines.config import PROJECT_ROOT

SETTINGS_MODULE = Path("prometric_pipelines/config.py")
# the resources Dagster configures from the environment (EnvVar is read when the run starts)
ENV_VAR_MODULE = Path("prometric_pipelines/defs/resources.py")
CHECKED_FOLDERS = ("prometric_pipelines", "dashboards")

OS_READS = frozenset({"environ", "environb", "getenv", "getenvb"})


def environment_reads(source: str, *, allow_env_var: bool = False) -> list[tuple[int, str]]:
    """(line, what) for every read of the environment in `source`, in line order."""
    tree = ast.parse(source)
    os_names: set[str] = set()  # names bound to the os module
    dagster_names: set[str] = set()  # names bound to the dagster module
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                if alias.name == "os":
                    os_names.add(bound)
                elif alias.name == "dagster":
                    dagster_names.add(bound)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            for alias in node.names:
                if node.module == "os" and alias.name in OS_READS | {"*"}:
                    found.append((node.lineno, f"from os import {alias.name}"))
                elif node.module == "dagster" and alias.name in ("EnvVar", "*") and not allow_env_var:
                    found.append((node.lineno, f"from dagster import {alias.name}"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id in os_names and node.attr in OS_READS:
                found.append((node.lineno, f"{node.value.id}.{node.attr}"))
            elif node.value.id in dagster_names and node.attr == "EnvVar" and not allow_env_var:
                found.append((node.lineno, f"{node.value.id}.EnvVar"))
    return sorted(found)


def checked_files() -> list[Path]:
    files = [
        path.relative_to(PROJECT_ROOT)
        for folder in CHECKED_FOLDERS
        for path in (PROJECT_ROOT / folder).rglob("*.py")
        if "__pycache__" not in path.parts
    ]
    return sorted(path for path in files if path != SETTINGS_MODULE)


def test_only_the_settings_module_reads_the_environment() -> None:
    files = checked_files()
    # the walk found the modules it is meant to check (a wrong root would pass with nothing to check)
    assert Path("prometric_pipelines/db/roles.py") in files and Path("dashboards/streamlit_app.py") in files
    offenders = [
        f"{path}:{line}: {what}"
        for path in files
        for line, what in environment_reads(
            (PROJECT_ROOT / path).read_text(encoding="utf-8"), allow_env_var=path == ENV_VAR_MODULE
        )
    ]
    assert not offenders, "read the environment through a function of prometric_pipelines/config.py:\n" + "\n".join(
        offenders
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import os\nx = os.environ['HOME']", [(2, "os.environ")]),
        ("import os\nx = os.environ.get('HOME', '')", [(2, "os.environ")]),
        ("import os\nenv = dict(os.environ)", [(2, "os.environ")]),
        ("import os\nenv = os.environ.copy()", [(2, "os.environ")]),
        ("import os\nenv = {**os.environ, 'A': '1'}", [(2, "os.environ")]),
        ("import os\ncheck(os.environ)", [(2, "os.environ")]),
        ("import os\nos.environ['A'] = '1'", [(2, "os.environ")]),
        ("import os\nx = os.environb[b'HOME']", [(2, "os.environb")]),
        ("import os\nx = os.getenv('HOME')", [(2, "os.getenv")]),
        ("import os as system\nx = system.getenv('HOME')", [(2, "system.getenv")]),
        ("from os import environ\nx = environ['HOME']", [(1, "from os import environ")]),
        ("from os import environ as env", [(1, "from os import environ")]),
        ("from os import getenv", [(1, "from os import getenv")]),
        ("from os import *", [(1, "from os import *")]),
        ("import dagster as dg\nurl = dg.EnvVar('DATABASE_URL')", [(2, "dg.EnvVar")]),
        ("import dagster\nurl = dagster.EnvVar('DATABASE_URL')", [(2, "dagster.EnvVar")]),
        ("from dagster import EnvVar", [(1, "from dagster import EnvVar")]),
        ("def f():\n    import os\n    return os.environ.get('A')", [(3, "os.environ")]),
    ],
)
def test_the_checker_catches_every_form(source: str, expected: list[tuple[int, str]]) -> None:
    assert environment_reads(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        "import os\npath = os.path.join('a', 'b')\nos.close(3)",  # os without the environment
        "def run(environ):\n    return environ.get('A')",  # a parameter that happens to be named environ
        "from prometric_pipelines import config\ntoday = config.dashboards_today()",
        "import dagster as dg\nspec = dg.AssetSpec('a')",
        "environ = {}\nx = environ['A']",  # a local mapping, not os's
    ],
)
def test_the_checker_leaves_other_code_alone(source: str) -> None:
    assert environment_reads(source) == []


def test_env_var_is_allowed_in_the_resources_module_only() -> None:
    source = "import dagster as dg\nurl = dg.EnvVar('DATABASE_URL')\nfrom dagster import EnvVar"
    assert environment_reads(source, allow_env_var=True) == []
    assert environment_reads(source, allow_env_var=False) == [(2, "dg.EnvVar"), (3, "from dagster import EnvVar")]
    # os reads stay forbidden there too
    assert environment_reads("import os\nx = os.getenv('A')", allow_env_var=True) == [(2, "os.getenv")]


# ---- the settings moved into config.py keep their defaults and checks --------------------------------


@pytest.mark.parametrize(
    ("raw", "minutes"), [(None, 30), ("45", 45), (" 1440 ", 1440), ("0", 30), ("1441", 30), ("x", 30)]
)
def test_dashboards_idle_minutes_keeps_the_default_for_a_bad_value(monkeypatch, raw, minutes) -> None:
    from prometric_pipelines.config import dashboards_idle_minutes

    if raw is None:
        monkeypatch.delenv("PROMETRIC_DASHBOARDS_IDLE_MINUTES", raising=False)
    else:
        monkeypatch.setenv("PROMETRIC_DASHBOARDS_IDLE_MINUTES", raw)
    assert dashboards_idle_minutes() == minutes


def test_dashboards_today_is_pinned_by_its_variable(monkeypatch) -> None:
    import datetime as dt

    from prometric_pipelines.config import dashboards_today

    monkeypatch.setenv("PROMETRIC_DASHBOARDS_TODAY", " 2026-03-10 ")
    assert dashboards_today() == dt.date(2026, 3, 10)
    monkeypatch.setenv("PROMETRIC_DASHBOARDS_TODAY", "")
    assert dashboards_today() is None


def test_s3_settings_take_the_specific_variable_first(monkeypatch) -> None:
    from prometric_pipelines.config import s3_endpoint_url, s3_region

    for name in ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    assert (s3_endpoint_url(), s3_region()) == (None, "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://general:8333")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    assert (s3_endpoint_url(), s3_region()) == ("http://general:8333", "eu-west-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://s3-only:8333")
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    assert (s3_endpoint_url(), s3_region()) == ("http://s3-only:8333", "eu-central-1")


def test_an_operators_server_is_recognised_by_either_variable(monkeypatch) -> None:
    from prometric_pipelines.config import role_url_setting, uses_external_server

    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("PROMETRIC_EXTERNAL_SERVER", raising=False)
    monkeypatch.setenv("JOBS_DATABASE_URL", "  postgresql://jobs@db/prometric  ")
    assert not uses_external_server()
    assert role_url_setting("prometric_jobs") == "postgresql://jobs@db/prometric"
    monkeypatch.setenv("PROMETRIC_EXTERNAL_SERVER", "1")
    assert uses_external_server()
    monkeypatch.delenv("PROMETRIC_EXTERNAL_SERVER")
    monkeypatch.setenv("DATABASE_URL", "postgresql://owner@db/prometric")
    assert uses_external_server()
