"""The outbox against a real Redis and a real Celery worker process.

The worker reads the test database, so these tests commit (transactional_db) and need
PostgreSQL; each test gets its own redis-server so it can stop and start it.
"""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection, transaction

from apps.core.events import publish
from apps.core.models import OutboxEvent
from apps.core.tasks import sweep_outbox_task
from tests.celery_broker import RedisServer, celery_broker, free_port
from tests.events import Happened

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _test_database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def redis_server(redis_server_binary: str) -> Iterator[RedisServer]:
    server = RedisServer(redis_server_binary, free_port())
    yield server
    server.stop()


def _start_worker(broker_url: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": _test_database_url(), "REDIS_URL": broker_url}
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=warning",
        ],
        cwd=PROJECT_ROOT,
        env=env,
    )


@pytest.fixture
def start_worker() -> Iterator:
    workers: list[subprocess.Popen] = []

    def start(broker_url: str) -> subprocess.Popen:
        workers.append(_start_worker(broker_url))
        return workers[-1]

    yield start
    for worker in workers:
        worker.terminate()
        worker.wait(timeout=20)


def _wait_until_published(event: OutboxEvent, timeout: float = 30) -> OutboxEvent:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        event.refresh_from_db()
        if event.is_published:
            return event
        time.sleep(0.2)
    raise AssertionError(f"outbox event {event.pk} was not relayed within {timeout}s")


def test_a_real_worker_relays_a_committed_event(redis_server, start_worker):
    redis_server.start()
    start_worker(redis_server.url)

    with celery_broker(redis_server.url), transaction.atomic():
        event = publish(Happened())

    assert _wait_until_published(event).relay_attempts == 1


def test_events_committed_one_after_another_are_all_relayed(redis_server, start_worker):
    redis_server.start()
    start_worker(redis_server.url)

    with celery_broker(redis_server.url):
        published = []
        for number in range(5):
            with transaction.atomic():
                published.append(publish(Happened(campaign=str(number))))

    assert all(_wait_until_published(event).relay_attempts == 1 for event in published)


def test_an_event_published_while_redis_is_down_is_relayed_after_it_returns(
    redis_server, start_worker
):
    with celery_broker(redis_server.url), transaction.atomic():
        event = publish(Happened())
    event.refresh_from_db()
    assert not event.is_published

    redis_server.start()
    start_worker(redis_server.url)
    with celery_broker(redis_server.url):
        # What beat does every minute once the broker answers again.
        sweep_outbox_task.delay(grace_seconds=0)

    assert _wait_until_published(event).relay_attempts == 1
