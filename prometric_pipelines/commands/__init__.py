"""Domain commands of the `prometric` CLI: `prometric run <job>` and domain groups (e.g. `audit`).

Each domain module here defines `register(run_jobs, commands)`: it adds its `run` sub-command to
`run_jobs` (and, if it has any, its own top-level command group to `commands`). Handlers take the
parsed `argparse.Namespace` and return an exit code; jobs run through Dagster
(`orchestration.run_job`) so they show in the UI's run history. Add a module to `DOMAIN_COMMANDS`.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable

Registrar = Callable[[argparse._SubParsersAction, argparse._SubParsersAction], None]

# modules of this package, in the order their commands appear in `prometric run --help`
DOMAIN_COMMANDS: tuple[str, ...] = ("metrics", "payroll", "stock", "audit")


def registrars() -> list[Registrar]:
    return [importlib.import_module(f"{__name__}.{name}").register for name in DOMAIN_COMMANDS]
