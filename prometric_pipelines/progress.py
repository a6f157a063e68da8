"""Progress lines for long work: what is done of how much, the time so far and an estimate of what is left.

At most one line every `interval` seconds (a terminal scrolling a line per step is noise; silence for
half a minute looks like a hang). The estimate assumes the remaining units take as long as the done
ones did on average, which is why it says "about".
"""

from __future__ import annotations

import time
from collections.abc import Callable

PROGRESS_INTERVAL_S = 3.0


class ThrottledProgress:
    """`update(done, detail)` after each unit of `total`; says a line when `interval` s have passed since
    the last one (or since the start)."""

    def __init__(
        self,
        say: Callable[[str], None],
        what: str,
        total: int,
        unit: str,
        interval: float = PROGRESS_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.say, self.what, self.total, self.unit = say, what, total, unit
        self.interval, self.clock = interval, clock
        self.started = self.last = clock()

    def update(self, done: int, detail: str = "") -> None:
        now = self.clock()
        if now - self.last < self.interval or done >= self.total:
            return  # the finished work gets its report instead
        self.last = now
        self.say(progress_line(self.what, done, self.total, self.unit, now - self.started, detail))


def progress_line(what: str, done: int, total: int, unit: str, elapsed: float, detail: str = "") -> str:
    """`daily_metrics: 7 of 15 steps done (daily_payments), 12 s so far, about 14 s left`."""
    left = elapsed / done * (total - done) if done else None
    estimate = f"about {_duration(left)} left" if left is not None else "no estimate yet"
    where = f" ({detail})" if detail else ""
    return f"{what}: {done:,} of {total:,} {unit} done{where}, {_duration(elapsed)} so far, {estimate}"


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds} s" if seconds < 120 else f"{seconds // 60} min {seconds % 60:02d} s"


def say(message: str) -> None:
    """One line on the terminal now (flushed: the commands' lines interleave with their children's)."""
    print(message, flush=True)
