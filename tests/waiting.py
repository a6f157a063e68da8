"""Waiting in fault tests: for a condition, and for a killed client's server process to end."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.engine import Connection

T = TypeVar("T")


def wait_for(condition: Callable[[], T], timeout: float = 120, what: str = "condition") -> T:
    """Polls `condition` until it returns something truthy, and returns that; fails after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def wait_for_backend_to_end(
    watcher: Connection, pid: int, what: str = "the killed run's server process to end"
) -> None:
    """A killed client's server process finds its client gone, rolls back and ends: wait for that."""

    def ended() -> bool:
        watcher.rollback()  # pg_stat_activity is a snapshot per transaction
        query = text("SELECT count(*) FROM pg_stat_activity WHERE pid = :p")
        return not watcher.execute(query, {"p": pid}).scalar_one()

    wait_for(ended, what=what)
