from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from apps.core.events import Event, publish, subscribe_relayed
from apps.core.models import OutboxEvent
from apps.core.services import outbox_event_relay, outbox_relay_pending, outbox_sweep
from tests.events import Happened, OtherHappened

pytestmark = pytest.mark.django_db


def _unpublished_event(happened: Event | None = None, age: timedelta = timedelta()) -> OutboxEvent:
    with transaction.atomic():
        event = publish(happened or Happened())
    OutboxEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - age)
    return event


def test_outbox_event_relay_marks_the_event_published_once():
    relayed = []
    subscribe_relayed(Happened)(lambda event: relayed.append(event.pk))
    event = _unpublished_event()

    first = outbox_event_relay(event_id=event.pk)
    second = outbox_event_relay(event_id=event.pk)

    assert first.is_published
    assert second.published_at == first.published_at
    assert second.relay_attempts == 1
    assert relayed == [event.pk]


def test_outbox_event_relay_of_a_missing_event_returns_none():
    assert outbox_event_relay(event_id=987654) is None


def test_outbox_sweep_relays_only_events_past_the_grace_period():
    old = _unpublished_event(age=timedelta(minutes=5))
    fresh = _unpublished_event()

    relayed = outbox_sweep(grace_seconds=60, batch_size=100)

    assert relayed == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.is_published
    assert not fresh.is_published


def test_outbox_sweep_walks_every_batch():
    events = [_unpublished_event(age=timedelta(minutes=5)) for _ in range(7)]

    assert outbox_sweep(grace_seconds=0, batch_size=3) == 7
    assert OutboxEvent.objects.unpublished().count() == 0
    assert {e.pk for e in events} == set(OutboxEvent.objects.values_list("pk", flat=True))


def test_outbox_sweep_leaves_a_failed_event_until_its_next_attempt_is_due():
    @subscribe_relayed(OtherHappened)
    def fail(event: OutboxEvent) -> None:
        raise ConnectionError("partner down")

    flaky = _unpublished_event(OtherHappened(), age=timedelta(minutes=5))
    fine = _unpublished_event(Happened(), age=timedelta(minutes=5))

    assert outbox_sweep(grace_seconds=0, batch_size=100) == 1
    assert outbox_sweep(grace_seconds=0, batch_size=100) == 0
    flaky.refresh_from_db()
    fine.refresh_from_db()
    assert not flaky.is_published
    assert flaky.relay_attempts == 1
    assert flaky.next_attempt_at > timezone.now()
    assert flaky.last_error == "ConnectionError: partner down"
    assert fine.is_published
    assert fine.relay_attempts == 1


def test_outbox_relay_pending_relays_untried_events_and_leaves_failed_ones_to_the_sweep():
    @subscribe_relayed(OtherHappened)
    def fail(event: OutboxEvent) -> None:
        raise ConnectionError("partner down")

    flaky = _unpublished_event(OtherHappened())
    fresh = [_unpublished_event() for _ in range(5)]

    assert outbox_relay_pending(batch_size=2) == 5
    assert outbox_relay_pending(batch_size=2) == 0
    flaky.refresh_from_db()
    assert flaky.relay_attempts == 1
    assert not flaky.is_published
    assert all(
        event.is_published for event in OutboxEvent.objects.filter(pk__in=[e.pk for e in fresh])
    )
