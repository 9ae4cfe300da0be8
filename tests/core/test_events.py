from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import transaction

from apps.core import events
from apps.core.events import publish, subscribe, subscribe_relayed
from apps.core.models import OutboxEvent
from apps.core.tasks import relay_outbox_task
from tests.celery_broker import celery_broker, free_port
from tests.events import Happened, OtherHappened

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)
def test_publish_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"):
        publish(Happened())
    assert OutboxEvent.objects.count() == 0


def test_publish_writes_an_outbox_row_and_runs_subscribers_in_the_transaction():
    seen = []

    @subscribe(Happened)
    def remember(event: OutboxEvent) -> None:
        seen.append((event.name, event.payload, transaction.get_connection().in_atomic_block))

    with transaction.atomic():
        event = publish(Happened())

    assert seen == [("test.happened", {"campaign": "summer"}, True)]
    assert OutboxEvent.objects.get() == event
    assert event.published_at is None


def test_subscribers_for_all_events_see_every_event():
    names = []
    subscribe(events.ALL_EVENTS)(lambda event: names.append(event.name))

    with transaction.atomic():
        publish(Happened())
        publish(OtherHappened())

    assert names == ["test.happened", "test.other_happened"]


def test_a_failing_subscriber_rolls_back_the_event_and_the_action():
    @subscribe(Happened)
    def explode(event: OutboxEvent) -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"), transaction.atomic():
        publish(Happened())

    assert OutboxEvent.objects.count() == 0


def test_a_rolled_back_transaction_relays_nothing(django_capture_on_commit_callbacks):
    def failing_action() -> None:
        with transaction.atomic():
            publish(Happened())
            raise RuntimeError("the action failed")

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        failing_action()

    assert callbacks == []


def test_publish_relays_the_event_after_commit(django_capture_on_commit_callbacks):
    relayed = []
    subscribe_relayed(Happened)(lambda event: relayed.append(event.pk))

    with (
        celery_broker("memory://", eager=True),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        event = publish(Happened())

    event.refresh_from_db()
    assert event.is_published
    assert relayed == [event.pk]


def test_publish_succeeds_and_keeps_the_row_when_the_broker_is_unreachable(
    django_capture_on_commit_callbacks,
):
    nobody_listens = f"redis://127.0.0.1:{free_port()}/0"

    with (
        celery_broker(nobody_listens),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        event = publish(Happened())

    event.refresh_from_db()
    assert event.published_at is None


def test_a_busy_process_asks_for_one_relay_per_interval(monkeypatch):
    asked = []
    monkeypatch.setattr(relay_outbox_task, "apply_async", lambda **options: asked.append(options))
    clock = [1000.0]
    monkeypatch.setattr(events.time, "monotonic", lambda: clock[0])

    with celery_broker("memory://"):
        for _ in range(3):
            events.request_relay()
        clock[0] += settings.OUTBOX_RELAY_DELAY_MS / 1000
        events.request_relay()

    delay = settings.OUTBOX_RELAY_DELAY_MS / 1000
    assert asked == [{"countdown": delay}, {"countdown": delay}]


def test_an_eager_relay_runs_for_every_commit(monkeypatch):
    asked = []
    monkeypatch.setattr(relay_outbox_task, "apply_async", lambda **options: asked.append(options))

    with celery_broker("memory://", eager=True):
        for _ in range(3):
            events.request_relay()

    assert asked == [{"countdown": 0}] * 3


def test_a_failed_request_is_asked_again_by_the_next_commit(monkeypatch):
    nobody_listens = f"redis://127.0.0.1:{free_port()}/0"

    with celery_broker(nobody_listens):
        assert events.request_relay() is False
        assert events.request_relay() is False


def test_publish_stores_the_payload_of_the_definition_in_field_order():
    with transaction.atomic():
        event = publish(Happened(campaign="winter"))

    stored = OutboxEvent.objects.get(pk=event.pk)
    assert (stored.name, stored.payload) == ("test.happened", {"campaign": "winter"})


def test_a_name_defined_twice_is_refused():
    with pytest.raises(TypeError, match="defined twice"):

        @dataclass(frozen=True, kw_only=True)
        class HappenedAgain(events.Event):
            name = "test.happened"


def test_subscribing_needs_a_definition_not_its_name():
    with pytest.raises(TypeError, match="event definition"):
        subscribe("test.happened")
