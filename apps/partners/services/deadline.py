"""A deadline for a whole outbound HTTP exchange: connect, send, read the answer.

requests' timeout bounds each read, not the exchange: a server that trickles one byte every
few seconds holds a worker for as long as it likes. Inside `deadline(seconds)` every socket the
adapter below opens is watched by a timer that shuts it down when time is up, whatever is
being read or written then; the request fails and `DeadlineExceeded` says why.
"""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar

import requests
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool


class DeadlineExceeded(requests.Timeout):
    """The exchange did not finish before its deadline."""


class _Guard:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends_at = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def remaining(self) -> float:
        return max(self.ends_at - time.monotonic(), 0.001)

    def watch(self, sock: socket.socket) -> None:
        # A duplicate of the descriptor: it outlives the TLS wrapper taking over the original,
        # and shutting it down ends the connection under both.
        with self._lock:
            self._sockets.append(sock.dup())
            if self.expired:
                self._shut_down()

    def _shut_down(self) -> None:
        for sock in self._sockets:
            # Already closed by the other end, perhaps: then there is nothing left to end.
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            self._shut_down()

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.cancel()
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()


_current: ContextVar[_Guard | None] = ContextVar("outbound_deadline", default=None)


class _WatchedConnectionMixin:
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()  # type: ignore[misc]
        guard = _current.get()
        if guard is not None:
            guard.watch(sock)
        return sock


class _HTTPConnection(_WatchedConnectionMixin, HTTPConnection):
    pass


class _HTTPSConnection(_WatchedConnectionMixin, HTTPSConnection):
    pass


class _HTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class DeadlineAdapter(HTTPAdapter):
    """Opens connections the current `deadline()` watches."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _HTTPConnectionPool,
            "https": _HTTPSConnectionPool,
        }


@contextmanager
def deadline(seconds: float) -> Iterator[_Guard]:
    """Run an exchange through `DeadlineAdapter` within `seconds` in all; a request error
    after the deadline passed becomes `DeadlineExceeded`. `remaining()` is what is left, for
    the per-read timeout."""
    guard = _Guard(seconds)
    token = _current.set(guard)
    guard.start()
    try:
        yield guard
    except requests.RequestException as error:
        if guard.expired:
            raise DeadlineExceeded(
                _("No complete answer within %(seconds)s seconds; the attempt was abandoned.")
                % {"seconds": f"{seconds:g}"}
            ) from error
        raise
    finally:
        guard.stop()
        _current.reset(token)
