"""Point the Celery app at another broker for one test, the way a worker or web process would
see it after a restart with a different REDIS_URL."""

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import kombu.pools
import redis

from config.celery import app as celery_app


def _drop_broker_connections() -> None:
    kombu.pools.reset()
    celery_app._pool = None
    if "amqp" in celery_app.__dict__:
        celery_app.amqp._producer_pool = None


@contextmanager
def celery_broker(url: str, *, eager: bool = False) -> Iterator[None]:
    conf = celery_app.conf
    saved = (conf.broker_url, conf.task_always_eager)
    _drop_broker_connections()
    conf.broker_url, conf.task_always_eager = url, eager
    try:
        yield
    finally:
        _drop_broker_connections()
        conf.broker_url, conf.task_always_eager = saved


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A throwaway redis-server on its own port that a test can stop and start."""

    def __init__(self, binary: str, port: int) -> None:
        self.binary = binary
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
