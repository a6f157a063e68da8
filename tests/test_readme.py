"""The README stands alone: every command `prometric --help` offers is in its command table, nothing points outside the
repository, and every file it links or shows exists."""

from __future__ import annotations

import argparse
import re

from prometric_pipelines.cli import build_parser
from prometric_pipelines.config import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def _commands(parser: argparse.ArgumentParser, prefix: str) -> list[str]:
    """`prometric db start`, `prometric run metrics` … every leaf command of the parser."""
    found: list[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.extend(_commands(sub, f"{prefix} {name}"))
    return found or [prefix]


def test_every_command_is_in_the_readme():
    commands = _commands(build_parser(), "prometric")
    assert {"prometric run metrics", "prometric run archive", "prometric audit query", "prometric db health"} <= set(
        commands
    )
    section = README[README.index("## The `prometric` command") :]
    table = "\n".join(line for line in section[: section.index("\n## ")].splitlines() if line.startswith("| `"))
    missing = [command for command in commands if f"`{command}" not in table]
    assert missing == []  # in the command table itself, not only somewhere in the text


def test_nothing_points_outside_the_repository():
    assert "../" not in README and "specs/" not in README and "DESIGN.md" not in README
    targets = re.findall(r"\]\(([^)#]+)\)", README)
    assert "docs/images/owner-overview.png" in targets  # the Overview picture near the top
    assert README.index("## What you'll see") < README.index("## Set-up")
    assert [t for t in targets if t.startswith("http") or not (PROJECT_ROOT / t).exists()] == []
