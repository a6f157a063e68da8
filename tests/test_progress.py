"""Progress lines of long work (prometric_pipelines/progress.py): throttled, with done/total and an estimate."""

from __future__ import annotations

from prometric_pipelines.progress import ThrottledProgress, progress_line


def test_progress_line_says_what_is_done_and_estimates_what_is_left():
    assert progress_line("metrics", 92, 366, "days", 60.0, "run 2025-12-06..2026-03-07") == (
        "metrics: 92 of 366 days done (run 2025-12-06..2026-03-07), 60 s so far, about 2 min 59 s left"
    )  # 60 s for 92 days: 274 days left take 178.7 s
    assert progress_line("daily_metrics", 0, 15, "steps", 3.2) == (
        "daily_metrics: 0 of 15 steps done, 3 s so far, no estimate yet"
    )


def test_throttled_progress_speaks_at_most_once_per_interval_and_not_when_finished():
    now = [100.0]
    said: list[str] = []
    progress = ThrottledProgress(said.append, "daily_metrics", 15, "steps", interval=3.0, clock=lambda: now[0])
    for step, at in enumerate((101.0, 102.9, 103.5, 104.0, 106.4, 106.6), start=1):
        now[0] = at
        progress.update(step, f"q{step}")
    # 3.5 s after the start (step 3), then 6.6 s (step 6: 3.1 s after the last line); the rest too soon
    assert said == [
        "daily_metrics: 3 of 15 steps done (q3), 4 s so far, about 14 s left",
        "daily_metrics: 6 of 15 steps done (q6), 7 s so far, about 10 s left",
    ]
    now[0] = 200.0
    progress.update(15, "write")  # the finished work gets its report, not a progress line
    assert len(said) == 2
