"""Failed relays wait longer each time, give up after OUTBOX_MAX_ATTEMPTS as dead letters that
staff can replay, and relayed events are pruned after their retention period."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from apps.core.events import publish, subscribe_relayed
from apps.core.models import OutboxEvent
from apps.core.services import (
    outbox_event_relay,
    outbox_events_replay,
    outbox_prune,
    outbox_retry_delay,
    outbox_sweep,
)
from apps.loyalty.events import TierChanged
from tests.celery_broker import celery_broker
from tests.events import Happened, OtherHappened

pytestmark = pytest.mark.django_db


@pytest.fixture
def retries(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    settings.OUTBOX_RETRY_MAX_SECONDS = 600
    settings.OUTBOX_MAX_ATTEMPTS = 3
    return settings


@pytest.fixture
def broken_handler():
    calls: list[int] = []
    # Append to it to mend the handler.
    mended: list[bool] = []

    @subscribe_relayed(OtherHappened)
    def fail(event: OutboxEvent) -> None:
        calls.append(event.pk)
        if not mended:
            raise ConnectionError("mail server down")

    return calls, mended


def _published(happened=None) -> OutboxEvent:
    with transaction.atomic():
        return publish(happened or OtherHappened())


def _sweep() -> int:
    return outbox_sweep(grace_seconds=0, batch_size=100)


def test_outbox_retry_delay_doubles_per_attempt_with_jitter_up_to_the_cap(retries):
    for attempts, ceiling in [(1, 60), (2, 120), (3, 240), (4, 480), (5, 600), (40, 600)]:
        delays = {outbox_retry_delay(attempts=attempts).total_seconds() for _ in range(20)}
        assert all(ceiling / 2 <= delay <= ceiling for delay in delays), (attempts, delays)
        assert len(delays) > 1  # jittered, so failed events do not return together


def test_a_failed_relay_is_retried_once_its_backoff_has_passed(retries, broken_handler):
    calls, _succeed = broken_handler
    with time_machine.travel(timezone.now(), tick=False) as clock:
        event = _published()
        _sweep()
        event.refresh_from_db()
        wait = (event.next_attempt_at - timezone.now()).total_seconds()
        assert 30 <= wait <= 60

        clock.shift(timedelta(seconds=wait - 1))
        _sweep()
        assert len(calls) == 1  # not due yet

        clock.shift(timedelta(seconds=2))
        _sweep()
        assert len(calls) == 2
        event.refresh_from_db()
        assert event.relay_attempts == 2
        assert 60 <= (event.next_attempt_at - timezone.now()).total_seconds() <= 120


def test_an_event_becomes_a_dead_letter_after_the_maximum_attempts(retries, broken_handler):
    calls, _succeed = broken_handler
    with time_machine.travel(timezone.now(), tick=False) as clock:
        event = _published()
        for _attempt in range(5):
            _sweep()
            clock.shift(timedelta(minutes=11))

    event.refresh_from_db()
    assert len(calls) == 3
    assert event.state == OutboxEvent.State.DEAD
    assert event.dead_at is not None
    assert event.last_error == "ConnectionError: mail server down"
    assert not event.is_published
    assert list(OutboxEvent.objects.dead()) == [event]
    assert event not in OutboxEvent.objects.pending()


def test_replaying_a_dead_letter_relays_it_again(
    retries, broken_handler, django_capture_on_commit_callbacks
):
    calls, succeed = broken_handler
    event = _published()
    OutboxEvent.objects.filter(pk=event.pk).update(relay_attempts=3, dead_at=timezone.now())
    succeed.append(True)

    with celery_broker("memory://", eager=True), django_capture_on_commit_callbacks(execute=True):
        replayed = outbox_events_replay(events=OutboxEvent.objects.all())

    assert replayed == [event]
    event.refresh_from_db()
    assert event.is_published
    assert (event.dead_at, event.relay_attempts, event.last_error) == (None, 1, "")
    assert calls == [event.pk]


def test_replay_leaves_events_that_are_not_dead_letters_alone():
    waiting = _published(Happened())

    assert outbox_events_replay(events=OutboxEvent.objects.all()) == []
    waiting.refresh_from_db()
    assert waiting.relay_attempts == 0


def test_a_claimed_event_is_not_relayed_twice():
    relayed = []
    subscribe_relayed(Happened)(lambda event: relayed.append(event.pk))
    event = _published(Happened())
    # Another relay has it (attempt counted, leased): this one must leave it.
    OutboxEvent.objects.filter(pk=event.pk).update(
        relay_attempts=1, next_attempt_at=timezone.now() + timedelta(minutes=5)
    )

    assert not outbox_event_relay(event_id=event.pk).is_published
    assert relayed == []


def test_prune_deletes_old_relayed_events_and_keeps_everything_else(settings):
    old = timezone.now() - timedelta(days=40)
    relayed_old = _published(Happened())
    relayed_recent = _published(Happened())
    waiting_old = _published(Happened())
    dead_old = _published(Happened())
    tier_move_old = OutboxEvent.objects.create(name=TierChanged.name, payload={"tier": "gold"})
    OutboxEvent.objects.filter(pk__in=[relayed_old.pk, tier_move_old.pk]).update(
        created_at=old, published_at=old
    )
    OutboxEvent.objects.filter(pk=relayed_recent.pk).update(
        created_at=timezone.now() - timedelta(days=20), published_at=timezone.now()
    )
    OutboxEvent.objects.filter(pk=waiting_old.pk).update(created_at=old)
    OutboxEvent.objects.filter(pk=dead_old.pk).update(created_at=old, dead_at=old)

    assert outbox_prune(retention_days=30, batch_size=1) == 1

    assert set(OutboxEvent.objects.values_list("pk", flat=True)) == {
        relayed_recent.pk,
        waiting_old.pk,
        dead_old.pk,
        tier_move_old.pk,
    }


def test_prune_never_deletes_what_the_thirty_day_previews_read():
    relayed = _published(Happened())
    moment = timezone.now() - timedelta(days=29)
    OutboxEvent.objects.filter(pk=relayed.pk).update(created_at=moment, published_at=moment)

    assert outbox_prune(retention_days=1) == 0
    assert OutboxEvent.objects.filter(pk=relayed.pk).exists()
