"""The import graph of the code: every module imports, no import cycle, and the arrows point down the layers
of docs/architecture.md (settings and calendar → database → domain cores → shared Dagster helpers → Dagster
definitions → entry points). Imports inside functions count too: a lazy import hides a cycle from Python,
not from the next reader."""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterable, Mapping
from pathlib import Path

from prometric_pipelines.config import PROJECT_ROOT

PACKAGES = ("prometric_pipelines", "dashboards")

# the layers, lowest first, and the sub-packages or modules of prometric_pipelines in each: a module may import
# its own layer and the layers below it, never one above
LAYERS: tuple[tuple[str, frozenset[str]], ...] = tuple(
    (name, frozenset(members.split()))
    for name, members in (
        (
            "settings and calendar",
            "config business_calendar kz_calendar errors sql validation progress framework_warnings",
        ),
        ("database", "db"),
        (
            "domain cores",
            "metrics payroll stock audit alerts maintenance monitoring security storage generate run_failures",
        ),
        ("shared Dagster helpers", "lib"),
        ("Dagster definitions", "defs"),
        ("entry points", "definitions orchestration supervision commands cli"),
    )
)


def module_files(root: Path, packages: Iterable[str]) -> dict[str, Path]:
    """Every module under the packages, by dotted name (a package by its own name)."""
    found: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def import_graph(modules: Mapping[str, Path]) -> dict[str, set[str]]:
    """module → the modules of `modules` it imports anywhere in its text (module level or inside functions)."""

    def known(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [known(alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # `from package import module` names the module; `from module import name` the module itself
                targets = [known(f"{node.module}.{alias.name}") for alias in node.names]
            else:
                continue
            graph[name] |= {target for target in targets if target and target != name}
    return graph


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in graph.get(node, ()):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def layer_of(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] != "prometric_pipelines" or len(parts) == 1:
        return None
    return next((i for i, (_, members) in enumerate(LAYERS) if parts[1] in members), None)


def upward_imports(graph: Mapping[str, Iterable[str]]) -> list[str]:
    """Imports from a lower layer into a higher one, and any import of the dashboards by the package."""
    wrong = []
    for module, targets in sorted(graph.items()):
        for target in sorted(targets):
            if module.startswith("prometric_pipelines") and target.startswith("dashboards"):
                wrong.append(f"{module} → {target} (the package never imports the dashboards)")
            source_layer, target_layer = layer_of(module), layer_of(target)
            if source_layer is not None and target_layer is not None and target_layer > source_layer:
                wrong.append(f"{module} ({LAYERS[source_layer][0]}) → {target} ({LAYERS[target_layer][0]})")
    return wrong


def domain_folder_graph(graph: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    """defs/<domain> → the other defs/<domain> folders it imports."""
    folders: dict[str, set[str]] = {}
    for module, targets in graph.items():
        parts = module.split(".")
        if parts[:2] != ["prometric_pipelines", "defs"] or len(parts) < 3:
            continue
        folders.setdefault(parts[2], set())
        for target in targets:
            other = target.split(".")
            if other[:2] == ["prometric_pipelines", "defs"] and len(other) > 2 and other[2] != parts[2]:
                folders[parts[2]].add(other[2])
    return folders


MODULES = module_files(PROJECT_ROOT, PACKAGES)
GRAPH = import_graph(MODULES)


def test_every_module_of_the_package_imports_on_its_own():
    package_modules = [name for name in MODULES if name.startswith("prometric_pipelines")]
    assert len(package_modules) > 100
    for name in package_modules:
        importlib.import_module(name)


def test_every_package_module_has_a_layer():
    unplaced = [m for m in MODULES if m.startswith("prometric_pipelines.") and layer_of(m) is None]
    assert unplaced == [], "add these to LAYERS (and to docs/architecture.md): " + ", ".join(unplaced)


def test_no_import_cycle():
    found = cycles(GRAPH)
    assert found == [], "import cycles: " + "; ".join(" ↔ ".join(cycle) for cycle in found)


def test_imports_point_down_the_layers():
    assert upward_imports(GRAPH) == []


def test_dagster_domain_folders_import_each_other_without_cycles():
    folders = domain_folder_graph(GRAPH)
    assert {"metrics", "payroll", "stock", "audit", "maintenance", "monitoring", "schema", "alerts"} <= set(folders)
    assert cycles(folders) == []
    # monitoring watches the domains; no domain depends on it
    assert all("monitoring" not in imported for imported in folders.values())


def _write(root: Path, files: Mapping[str, str]) -> dict[str, Path]:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return module_files(root, ["prometric_pipelines"])


def test_the_checks_catch_a_lazy_cycle_and_an_upward_import(tmp_path: Path):
    """The checker itself: a cycle closed by an import inside a function, and a domain core importing the
    Dagster layer, are both found (so the tests above cannot pass for want of looking)."""
    modules = _write(
        tmp_path,
        {
            "prometric_pipelines/__init__.py": "",
            "prometric_pipelines/config.py": "",
            "prometric_pipelines/metrics/__init__.py": "",
            "prometric_pipelines/metrics/run.py": "from prometric_pipelines import config\n",
            "prometric_pipelines/defs/__init__.py": "",
            "prometric_pipelines/defs/metrics/__init__.py": "",
            "prometric_pipelines/defs/metrics/assets.py": "import prometric_pipelines.metrics.run\n",
            "prometric_pipelines/orchestration.py": (
                "def run_job():\n    from prometric_pipelines.definitions import defs\n    return defs\n"
            ),
            "prometric_pipelines/definitions.py": "from prometric_pipelines.defs.metrics import sensors\n",
            "prometric_pipelines/defs/metrics/sensors.py": (
                "from prometric_pipelines.orchestration import run_job\n"
                "from prometric_pipelines.metrics.run import config\n"
            ),
        },
    )
    graph = import_graph(modules)
    assert cycles(graph) == [
        sorted(
            [
                "prometric_pipelines.definitions",
                "prometric_pipelines.defs.metrics.sensors",
                "prometric_pipelines.orchestration",
            ]
        )
    ]
    assert upward_imports(graph) == [
        "prometric_pipelines.defs.metrics.sensors (Dagster definitions) → prometric_pipelines.orchestration "
        "(entry points)"
    ]
    (tmp_path / "prometric_pipelines/metrics/run.py").write_text(
        "from prometric_pipelines.defs.metrics import assets\n"
    )
    graph = import_graph(module_files(tmp_path, ["prometric_pipelines"]))
    assert (
        "prometric_pipelines.metrics.run (domain cores) → prometric_pipelines.defs.metrics.assets (Dagster definitions)"
    ) in upward_imports(graph)
    assert ["prometric_pipelines.defs.metrics.assets", "prometric_pipelines.metrics.run"] in cycles(graph)
