"""The commands of the `prometric` CLI, one module per concern; `cli.py` assembles the parser from them.

Two registration hooks, both called while the parser is built:

* `register_commands(commands)`: the top-level command groups that are not jobs (`db`, `generate`, `ui`,
  `dashboards`, `demo`), in the modules of `TOP_LEVEL_COMMANDS`. They come first in `prometric --help`,
  before `run`.
* `register(run_jobs, commands)`: each domain module of `DOMAIN_COMMANDS` adds its `run` sub-command to
  `run_jobs` (and, if it has any, its own top-level command group to `commands`, e.g. `audit`).

Handlers take the parsed `argparse.Namespace` and return an exit code; a user mistake raises
PrometricError (cli.main turns it into one line on stderr). Jobs run through Dagster
(`orchestration.run_job`) so they show in the UI's run history. Add a module to one of the two tuples.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable

CommandRegistrar = Callable[[argparse._SubParsersAction], None]
Registrar = Callable[[argparse._SubParsersAction, argparse._SubParsersAction], None]

# modules of this package with `register_commands`, in the order their groups appear in `prometric --help`
TOP_LEVEL_COMMANDS: tuple[str, ...] = ("database", "generate", "servers", "demo")
# modules of this package, in the order their commands appear in `prometric run --help`
DOMAIN_COMMANDS: tuple[str, ...] = ("metrics", "payroll", "stock", "audit")


def command_registrars() -> list[CommandRegistrar]:
    return [importlib.import_module(f"{__name__}.{name}").register_commands for name in TOP_LEVEL_COMMANDS]


def registrars() -> list[Registrar]:
    return [importlib.import_module(f"{__name__}.{name}").register for name in DOMAIN_COMMANDS]
