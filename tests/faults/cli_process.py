"""A real `prometric` process for fault tests: its output lines gathered as they come."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import dagster as dg

from prometric_pipelines.config import PROJECT_ROOT
from tests.waiting import wait_for

# a hang guard only (a run that has not ended by then is stuck), never a timing assertion
HANG_GUARD_SECONDS = float(os.environ.get("PROMETRIC_TEST_HANG_GUARD", 300))


class CliProcess:
    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.args = args
        self.process = subprocess.Popen(
            [sys.executable, "-m", "prometric_pipelines.cli", *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._readers = [
            threading.Thread(target=self._read, args=(stream, lines), daemon=True)
            for stream, lines in ((self.process.stdout, self.stdout), (self.process.stderr, self.stderr))
        ]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _read(stream, lines: list[str]) -> None:
        for line in stream:
            lines.append(line.rstrip("\n"))

    def wait_for_line(self, fragment: str, what: str) -> str:
        def found() -> str | None:
            if self.process.poll() is not None and not any(fragment in line for line in self.stdout):
                raise AssertionError(f"prometric {' '.join(self.args)} ended before {what}: {self.output()}")
            return next((line for line in self.stdout if fragment in line), None)

        return wait_for(found, timeout=HANG_GUARD_SECONDS, what=what)

    def finish(self, timeout: float = HANG_GUARD_SECONDS) -> int:
        code = self.process.wait(timeout=timeout)
        for reader in self._readers:
            reader.join(timeout=10)
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)

    def output(self) -> str:
        return "\n".join(self.stdout + self.stderr)


def run_cli(args: list[str], env: dict[str, str]) -> CliProcess:
    """Runs `prometric ARGS` to its end (hang guard HANG_GUARD_SECONDS)."""
    process = CliProcess(args, env)
    try:
        process.finish()
    except subprocess.TimeoutExpired:
        raise AssertionError(f"prometric {' '.join(args)} did not end: {process.output()}") from None
    finally:
        process.kill()
    return process


def local_instance(prometric_home: Path) -> dg.DagsterInstance:
    """The local Dagster instance the CLI processes of a test share (PROMETRIC_HOME/dagster)."""
    home = prometric_home / "dagster"
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text((PROJECT_ROOT / "dagster.yaml").read_text())
    return dg.DagsterInstance.from_config(str(home))


def claimed_slots(instance: dg.DagsterInstance, pool: str = "postgres") -> list[tuple[str, str]]:
    storage = instance.event_log_storage
    if pool not in storage.get_concurrency_keys():
        return []
    return [(slot.run_id, slot.step_key) for slot in storage.get_concurrency_info(pool).claimed_slots]
