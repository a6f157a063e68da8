"""Connections retry a few times with backoff, then fail in one line; permanent errors fail at once.

Real sockets only: a TCP relay in front of the test server that starts listening late (a database
coming back from a restart) and counts the connections it accepts.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time

import pytest
from sqlalchemy import text

from prometric_pipelines.db.engine import check_connection, create_db_engine
from prometric_pipelines.errors import DatabaseUnavailable


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Relay:
    """Listens on `port` after `delay` seconds; relays to `target` (or, without one, hangs up at once)."""

    def __init__(self, target: tuple[str, int] | None, delay: float = 0.0) -> None:
        self.port = free_port()
        self.target = target
        self.accepted = 0
        self._stop = threading.Event()
        self.listening = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(delay,), daemon=True)
        self._thread.start()

    def _serve(self, delay: float) -> None:
        if self._stop.wait(delay):
            return
        with socket.socket() as server:
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            server.bind(("127.0.0.1", self.port))
            server.listen()
            server.settimeout(0.05)
            self.listening.set()
            while not self._stop.is_set():
                try:
                    client, _ = server.accept()
                except TimeoutError:
                    continue
                self.accepted += 1
                if self.target is None:
                    client.close()
                    continue
                upstream = socket.create_connection(self.target)
                for source, sink in ((client, upstream), (upstream, client)):
                    threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


@pytest.fixture
def relay_factory():
    relays: list[Relay] = []

    def make(target: tuple[str, int] | None, delay: float = 0.0) -> Relay:
        relays.append(Relay(target, delay))
        if delay == 0:
            assert relays[-1].listening.wait(5)
        return relays[-1]

    yield make
    for relay in relays:
        relay.close()


def test_a_server_that_comes_up_late_is_waited_for(database_url, relay_factory):
    relay = relay_factory((database_url.host, database_url.port), delay=0.4)
    url = database_url.set(port=relay.port)
    engine = create_db_engine(url, connect_attempts=5, connect_backoff=0.2)  # waits 0.2 + 0.4 + … s
    started = time.perf_counter()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar_one() == 1
    assert time.perf_counter() - started >= 0.4
    assert relay.accepted == 1
    engine.dispose()
    # the same without retries fails: the retries are what made it work
    late = relay_factory((database_url.host, database_url.port), delay=0.4)
    no_retry = create_db_engine(database_url.set(port=late.port), connect_attempts=1)
    with pytest.raises(DatabaseUnavailable, match="Connection refused"):
        check_connection(no_retry)
    no_retry.dispose()


def test_bounded_attempts_then_one_line(database_url, relay_factory):
    relay = relay_factory(None)  # accepts and hangs up: a server dying at every connection
    url = database_url.set(port=relay.port, query={"sslmode": "disable"})
    engine = create_db_engine(url, connect_attempts=3, connect_backoff=0.05)
    with pytest.raises(DatabaseUnavailable) as error:
        check_connection(engine)
    assert relay.accepted == 3
    message = str(error.value)
    assert "\n" not in message and message.startswith("cannot connect to PostgreSQL at postgresql+psycopg://")
    assert database_url.password not in message
    engine.dispose()


def test_a_wrong_password_is_not_retried(database_url, relay_factory):
    relay = relay_factory((database_url.host, database_url.port))
    engine = create_db_engine(
        database_url.set(port=relay.port, password="wrong", query={"sslmode": "disable"}), connect_attempts=4
    )
    with pytest.raises(DatabaseUnavailable, match="password authentication failed"):
        check_connection(engine)
    assert relay.accepted == 1
    engine.dispose()
