"""One cache for every browser session of the app process, that runs each distinct read once.

Streamlit serves every browser session from threads of one process. Twenty people opening their
organization's Overview at 9:00 used to run twenty identical query sets; with `SingleFlightCache` the
first request runs the read (the "leader"), the requests for the same key that arrive while it runs
wait for its result instead of running their own (single flight), and later ones within the TTL are
answered from memory. Reads that miss are also limited to a few at a time
(`max_concurrent_reads`): on a 2-core machine more parallel reads only queue inside PostgreSQL and the
interpreter, and a hundred sessions must never exhaust the connection pool.

Plain Python (no Streamlit): the query layer builds the keys (`queries.page_key`: organization,
workspaces, HR access, the viewer where the rows depend on who looks, the data version and the filters).
Values are stored pickled and every caller gets its own copy, so a page that changes a frame it was
given cannot change what the next viewer sees. A failed read is not cached: every waiting request gets
the error, and the next request tries again.
"""

from __future__ import annotations

import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class _Flight:
    """A read in progress: the requests that join it wait for `done`."""

    done: threading.Event = field(default_factory=threading.Event)
    payload: bytes | None = None
    error: BaseException | None = None


@dataclass(frozen=True)
class CacheStats:
    reads: int  # reads actually run (misses that led a flight)
    joined: int  # requests that waited for another request's read instead of running their own
    hits: int  # requests answered from memory
    entries: int


class SingleFlightCache:
    """Thread-safe TTL + LRU cache with single-flight misses and a bound on concurrent reads."""

    def __init__(
        self,
        *,
        ttl_seconds: float,
        max_entries: int,
        max_concurrent_reads: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl_seconds
        self._max_entries = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[float, bytes]] = OrderedDict()
        self._flights: dict[Hashable, _Flight] = {}
        self._read_slots = threading.BoundedSemaphore(max_concurrent_reads)
        self._generation = 0  # bumped by clear(): a read that began before it is not stored
        self._reads = self._joined = self._hits = 0

    def get(self, key: Hashable, read: Callable[[], Any]) -> Any:
        """The value for `key`: from memory, from the read already running for it, or by running `read`."""
        with self._lock:
            stored = self._entries.get(key)
            if stored is not None and self._clock() - stored[0] < self._ttl:
                self._entries.move_to_end(key)
                self._hits += 1
                payload = stored[1]
            else:
                payload = None
                if stored is not None:
                    del self._entries[key]
                flight = self._flights.get(key)
                leader = flight is None
                if leader:
                    flight = self._flights[key] = _Flight()
                    generation = self._generation
                else:
                    self._joined += 1
        if payload is not None:
            return pickle.loads(payload)
        if not leader:
            flight.done.wait()
            if flight.error is not None:
                raise flight.error
            return pickle.loads(flight.payload)
        return self._lead(key, flight, generation, read)

    def _lead(self, key: Hashable, flight: _Flight, generation: int, read: Callable[[], Any]) -> Any:
        try:
            with self._read_slots:
                value = read()
            flight.payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as error:  # every waiting request gets the same error; nothing is stored
            flight.error = error
            raise
        finally:
            with self._lock:
                self._reads += 1
                if self._flights.get(key) is flight:
                    del self._flights[key]
                if flight.error is None and generation == self._generation:
                    self._entries[key] = (self._clock(), flight.payload)
                    self._entries.move_to_end(key)
                    while len(self._entries) > self._max_entries:
                        self._entries.popitem(last=False)
            flight.done.set()
        return value

    def clear(self) -> None:
        """Forget every stored value; reads in progress finish for their waiters but are not stored."""
        with self._lock:
            self._entries.clear()
            self._flights.clear()
            self._generation += 1

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(self._reads, self._joined, self._hits, len(self._entries))
