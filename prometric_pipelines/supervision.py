"""A `prometric run …` under supervision: it clears what dead runs left, says what it waits for, and
stops within seconds on Ctrl-C or SIGTERM.

* Dead runs. Every CLI run carries its launcher's process id, host and process start time in its tags.
  Before a run starts, runs still marked started whose launcher is gone from this host (SIGKILL, OOM)
  are marked failed and their pool slots freed; slots still held by runs that already ended are freed
  too. Runs of other hosts (or without the tags) are the run monitor's (dagster.yaml `run_monitoring`).
* Waiting. The job executes in a worker thread; the main thread polls every few seconds and prints one
  line when the run waits for a slot of a Dagster pool (naming the runs holding them) or when one of its
  database sessions waits for a lock (naming the blocking server process and its state).
* Stopping. The main thread owns SIGINT/SIGTERM: it cancels the run's running statements, gives the run a
  few seconds to record its failure, then marks it canceled, frees its slots and exits.
* Dagster 1.13's in-process executor never sleeps while a step waits for a pool slot
  (`InstanceConcurrencyContext.interval_to_next_pending_claim_check` returns `min(0, …)`), so a blocked
  run spun at ~100% CPU; `fix_pending_claim_interval` makes it sleep until its next claim attempt.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

LAUNCHER_PID_TAG = "prometric/launcher_pid"
LAUNCHER_HOST_TAG = "prometric/launcher_host"
LAUNCHER_STARTED_TAG = "prometric/launcher_started"  # process start (clock ticks): a reused pid is not it

WAIT_REPORT_SECONDS = 5.0  # a waiting run prints a line this often
POLL_SECONDS = 0.25  # how often the main thread looks at the worker and at signals
STOP_GRACE_SECONDS = 5.0  # after Ctrl-C/SIGTERM, the run has this long to record its own failure

# statuses of a run that has not ended; a run in one of them whose launcher is dead never will
UNFINISHED_STATUSES = ("NOT_STARTED", "STARTING", "STARTED", "CANCELING")

Say = Callable[[str], None]


# ---- launcher identity -----------------------------------------------------------------------------


def _process_started(pid: int) -> str:
    """The process's start time in clock ticks since boot (/proc/PID/stat field 22); "" off Linux."""
    try:
        stat = open(f"/proc/{pid}/stat", encoding="ascii").read()  # noqa: SIM115 - one read
    except OSError:
        return ""
    # the command name (field 2) may hold spaces and parentheses: count fields after its last ")"
    return stat.rsplit(")", 1)[1].split()[19]


def launcher_tags() -> dict[str, str]:
    """Tags naming this process as the run's launcher."""
    return {
        LAUNCHER_PID_TAG: str(os.getpid()),
        LAUNCHER_HOST_TAG: socket.gethostname(),
        LAUNCHER_STARTED_TAG: _process_started(os.getpid()),
    }


def launcher_is_gone(tags: Mapping[str, str]) -> bool:
    """Whether the run's launcher is known to be dead: launched on this host by a process that no
    longer exists (or whose pid now belongs to a process started at another time)."""
    pid_text = tags.get(LAUNCHER_PID_TAG, "")
    if not pid_text.isdigit() or tags.get(LAUNCHER_HOST_TAG) != socket.gethostname():
        return False  # not ours to judge: the run monitor's
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # exists, another user's
    started = tags.get(LAUNCHER_STARTED_TAG, "")
    return bool(started) and _process_started(pid) not in ("", started)


# ---- dead runs -----------------------------------------------------------------------------------


def _held_slots(instance: Any) -> dict[str, list[tuple[str, str]]]:
    """run id -> [(pool, step key)] of every claimed pool slot."""
    storage = instance.event_log_storage
    held: dict[str, list[tuple[str, str]]] = {}
    if not storage.supports_global_concurrency_limits:
        return held
    for pool in sorted(storage.get_concurrency_keys()):
        for slot in storage.get_concurrency_info(pool).claimed_slots:
            held.setdefault(slot.run_id, []).append((pool, slot.step_key))
    return held


def _slots_text(slots: list[tuple[str, str]]) -> str:
    if not slots:
        return "no pool slot held"
    pools = sorted({pool for pool, _ in slots})
    return f"{len(slots)} {'/'.join(pools)} pool slot{'s' if len(slots) > 1 else ''} freed"


def clear_dead_runs(instance: Any, say: Say) -> int:
    """Marks failed the unfinished runs whose launcher on this host is dead, frees the pool slots they
    and already-ended runs hold, and says so in one line per run. Returns how many runs were cleared."""
    import dagster as dg

    held = _held_slots(instance)
    cleared = 0
    statuses = [dg.DagsterRunStatus[name] for name in UNFINISHED_STATUSES]
    for record in instance.get_run_records(filters=dg.RunsFilter(statuses=statuses)):
        run = record.dagster_run
        if not launcher_is_gone(run.tags):
            continue
        pid = run.tags[LAUNCHER_PID_TAG]
        instance.report_run_failed(
            run, message=f"The process that ran it (pid {pid} on {run.tags[LAUNCHER_HOST_TAG]}) is gone."
        )
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        started = _clock(record.start_time or record.create_timestamp.timestamp())
        say(
            f"cleared dead run {run.run_id[:8]} ({run.job_name}, started {started}, its process {pid} is gone): "
            f"marked failed, {_slots_text(held.pop(run.run_id, []))}"
        )
        cleared += 1
    if held:  # slots of runs that have ended (status final) but never gave them back
        finished = instance.get_run_records(filters=dg.RunsFilter(run_ids=list(held)))
        for record in finished:
            run = record.dagster_run
            if run.status.value in UNFINISHED_STATUSES:
                continue
            instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
            say(f"freed the pool slots of ended run {run.run_id[:8]} ({run.job_name}, {run.status.value.lower()})")
            cleared += 1
    return cleared


# ---- waiting ------------------------------------------------------------------------------------


def _clock(timestamp: float | dt.datetime | None) -> str:
    if timestamp is None:
        return "?"
    moment = timestamp if isinstance(timestamp, dt.datetime) else dt.datetime.fromtimestamp(timestamp, dt.UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%H:%M:%S UTC")


def pool_wait(instance: Any, run_id: str) -> str | None:
    """One line when a step of the run waits for a pool slot: which pool, since when, held by whom."""
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return None
    for pool in sorted(storage.get_concurrency_keys()):
        info = storage.get_concurrency_info(pool)
        waiting = [s for s in info.pending_steps if s.run_id == run_id and s.assigned_timestamp is None]
        if not waiting:
            continue
        holders = []
        for slot in info.claimed_slots:
            run = instance.get_run_by_id(slot.run_id)
            if run is None:
                holders.append(f"run {slot.run_id[:8]} (unknown to this instance)")
                continue
            pid = run.tags.get(LAUNCHER_PID_TAG)
            by = f", pid {pid}" if pid else ""
            holders.append(f"run {slot.run_id[:8]} ({run.job_name} {slot.step_key}, {run.status.value.lower()}{by})")
        held = "; ".join(holders) or "none held (the pool's limit is 0)"
        return (
            f"waiting since {_clock(waiting[0].enqueued_timestamp)} for a slot of pool {pool!r} "
            f"({len(info.claimed_slots)} of {info.slot_count} held: {held})"
        )
    return None


def lock_wait(engine: Any, pids: frozenset[int]) -> str | None:
    """One line when a session of this process waits for a database lock: what lock, since when, and
    the blocking server process with its application, user and state."""
    if not pids:
        return None
    from prometric_pipelines.sql import load_sql

    with engine.connect() as conn:
        rows = conn.execute(load_sql("monitoring", "lock_waits"), {"pids": sorted(pids)}).mappings().all()
    if not rows:
        return None
    first = rows[0]
    lock = {"advisory": "an advisory lock", "relation": f"a lock on table {first['relation']}"}.get(
        first["lock_type"], f"a {first['lock_type']} lock"
    )
    blockers = "; ".join(
        f"server process {row['blocking_pid']} ({row['blocking_application'] or 'no application name'}, "
        f"user {row['blocking_user']}, {row['blocking_state'] or 'state unknown'} "
        f"since {_clock(row['blocking_since'])})"
        for row in rows
        if row["waiting_pid"] == first["waiting_pid"]
    )
    return f"waiting since {_clock(first['waiting_since'])} for {lock} held by {blockers}"


def cancel_statements(engine: Any, pids: frozenset[int]) -> int:
    """Cancels the running statements of the given sessions; returns how many were running."""
    if not pids:
        return 0
    from prometric_pipelines.sql import load_sql

    with engine.begin() as conn:
        return len(conn.execute(load_sql("monitoring", "cancel_backends"), {"pids": sorted(pids)}).all())


# ---- the pool wait that spun ----------------------------------------------------------------------


def fix_pending_claim_interval() -> None:
    """Makes Dagster's in-process executor sleep until a waiting step's next slot claim (see module doc)."""
    from dagster._core.execution.plan.instance_concurrency_context import InstanceConcurrencyContext

    def interval_to_next_pending_claim_check(self: InstanceConcurrencyContext) -> float:
        if not self._pending_claims:
            return 0.0
        now = time.time()
        return max(0.0, min((ready_at - now for ready_at in self._pending_timeouts.values()), default=0.0))

    InstanceConcurrencyContext.interval_to_next_pending_claim_check = interval_to_next_pending_claim_check


# ---- supervised execution ---------------------------------------------------------------------------


class RunStopped(Exception):
    """The run was stopped by a signal; `exit_code` is 128 + the signal number."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class _Outcome:
    result: Any = None
    error: BaseException | None = None


@contextmanager
def _signals_to(event: threading.Event, received: list[int]) -> Iterator[None]:
    """SIGINT and SIGTERM set `event` (main thread only; elsewhere signals stay as they are)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        received.append(signum)
        event.set()

    previous = {signum: signal.signal(signum, handler) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def new_run_id() -> str:
    return str(uuid.uuid4())


def execute_supervised(
    execute: Callable[[], Any],
    *,
    instance: Any,
    run_id: str,
    say: Say,
    database_engine: Callable[[], Any] | None = None,
) -> Any:
    """Calls `execute()` (the run `run_id`, in-process) in a worker thread and returns its result.

    Meanwhile prints what the run waits for every WAIT_REPORT_SECONDS; on SIGINT/SIGTERM cancels its
    statements and, if it has not ended within STOP_GRACE_SECONDS, marks it canceled, frees its slots
    and ends the process (the exit code is 128 + the signal).
    """
    from prometric_pipelines.db.engine import own_backend_pids

    fix_pending_claim_interval()
    outcome = _Outcome()
    before = own_backend_pids()

    def work() -> None:
        try:
            outcome.result = execute()
        except BaseException as error:  # handed to the main thread
            outcome.error = error

    stop = threading.Event()
    received: list[int] = []
    worker = threading.Thread(target=work, name=f"run {run_id[:8]}", daemon=True)
    engine = None
    next_report = time.monotonic() + WAIT_REPORT_SECONDS

    def run_sessions() -> frozenset[int]:
        return own_backend_pids() - before

    def database() -> Any:
        nonlocal engine
        if engine is None and database_engine is not None:
            engine = database_engine()
        return engine

    with _signals_to(stop, received):
        worker.start()
        try:
            while worker.is_alive():
                worker.join(POLL_SECONDS)
                if stop.is_set():
                    _stop(instance, run_id, worker, received[0], database, run_sessions, say)
                if worker.is_alive() and time.monotonic() >= next_report:
                    next_report = time.monotonic() + WAIT_REPORT_SECONDS
                    line = _describe_wait(instance, run_id, database, run_sessions())
                    if line:
                        say(line)
        finally:
            if engine is not None:
                engine.dispose()
    if received:
        raise RunStopped(_stopped_line(run_id, received[0], finished=True), 128 + received[0])
    if outcome.error is not None:
        raise outcome.error
    return outcome.result


def _describe_wait(instance: Any, run_id: str, database: Callable[[], Any], sessions: frozenset[int]) -> str | None:
    try:
        line = pool_wait(instance, run_id)
        if line is None and sessions and database() is not None:
            line = lock_wait(database(), sessions)
    except Exception as error:  # a report must never break the run it reports on
        return f"(could not tell what the run waits for: {str(error).strip().splitlines()[0]})"
    return line


def _stopped_line(run_id: str, signum: int, *, finished: bool) -> str:
    name = signal.Signals(signum).name
    how = "it failed" if finished else "marked canceled, its pool slots freed"
    return f"stopped by {name}: run {run_id} ({how}); its uncommitted writes are rolled back"


def _stop(
    instance: Any,
    run_id: str,
    worker: threading.Thread,
    signum: int,
    database: Callable[[], Any],
    sessions: Callable[[], frozenset[int]],
    say: Say,
) -> None:
    """Stops the run: its statements cancelled, a few seconds to end; else it is ended from here."""
    say(f"stopping run {run_id[:8]} ({signal.Signals(signum).name})…")
    try:
        if database() is not None:
            cancel_statements(database(), sessions())
    except Exception:
        pass  # the database may be what is unreachable; ending the process closes the sessions anyway
    worker.join(STOP_GRACE_SECONDS)
    if not worker.is_alive():
        return
    run = instance.get_run_by_id(run_id)
    if run is not None and run.status.value in UNFINISHED_STATUSES:
        instance.report_run_canceled(run, message=f"Stopped by {signal.Signals(signum).name} (prometric run).")
    instance.event_log_storage.free_concurrency_slots_for_run(run_id)
    # the same line on stderr as when the run ends by itself (cli.main prints RunStopped there)
    print(f"prometric: {_stopped_line(run_id, signum, finished=False)}", file=sys.stderr, flush=True)
    # the worker thread may be inside a database call or Dagster's slot wait: leave without waiting for
    # it; the closed sockets end the server sessions, which roll back
    os._exit(128 + signum)
