"""Running the real `prometric` command in a subprocess."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from typing import NamedTuple


class CliResult(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


def prometric(*args: str, env: Mapping[str, str], timeout: float = 120) -> CliResult:
    result = subprocess.run(
        [sys.executable, "-m", "prometric_pipelines.cli", *args],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd="/",
    )
    return CliResult(result.returncode, result.stdout, result.stderr)


def assert_one_clear_line(result, *fragments: str) -> None:
    """A user mistake: non-zero exit, nothing on stdout, one line on stderr, no traceback."""
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("prometric")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
