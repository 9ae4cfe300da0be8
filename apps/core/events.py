"""Domain events: an outbox row per event, in-process subscribers, relay after commit.

`publish()` runs inside the transaction of the action that caused the event. Subscribers
registered with `subscribe()` run synchronously in that same transaction, so everything that
follows from an action commits or rolls back with it. Handlers registered with
`subscribe_relayed()` run later, in a Celery worker, when the row is relayed; a busy process
hands the worker its events in batches rather than one task each. Those registered with
`subscribe_relayed(..., after_commit=True)` (e-mail) run after the relay's own transaction has
committed, so nothing leaves while the database holds a lock for it.

An event is a definition, not a string: each app's `events.py` declares its events as small
frozen dataclasses of `Event`, with the name and the fields of the payload the outbox stores.
`publish(QuizCompleted(...))` writes it; `subscribe(QuizCompleted)` listens to it.
"""

import functools
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, ClassVar

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import RedisError

from apps.core.models import OutboxEvent

logger = logging.getLogger(__name__)

ALL_EVENTS = "*"

Handler = Callable[[OutboxEvent], None]


# Every event name with its definition, filled as the apps' events modules are imported.
EVENT_DEFINITIONS: dict[str, type["Event"]] = {}


@dataclass(frozen=True, kw_only=True)
class Event:
    """One domain event. A subclass names it and declares the payload's fields, in the order
    the outbox stores them; `payload()` is what subscribers, the relay and partners read."""

    name: ClassVar[str]
    # A reader counts these rows as history (insights' tier moves): pruning keeps them.
    kept_in_outbox: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("name")
        if not isinstance(name, str):
            return
        defined = EVENT_DEFINITIONS.get(name)
        if defined and (defined.__module__, defined.__qualname__) != (
            cls.__module__,
            cls.__qualname__,
        ):
            raise TypeError(f"{name!r} is defined twice: {defined} and {cls}.")
        EVENT_DEFINITIONS[name] = cls

    def payload(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _payload_fields(type(self))}


@dataclass(frozen=True, kw_only=True)
class KeyedEvent(Event):
    """An event whose payload also carries the key earning rules credit it under, derived
    from its fields, so a replayed event never credits twice."""

    @property
    def idempotency_key(self) -> str:
        raise NotImplementedError

    def payload(self) -> dict[str, Any]:
        return {**super().payload(), "idempotency_key": self.idempotency_key}


@functools.cache
def _payload_fields(definition: type[Event]) -> tuple[str, ...]:
    return tuple(field.name for field in fields(definition))


def _name_of(event: type[Event] | str) -> str:
    if event == ALL_EVENTS:
        return ALL_EVENTS
    if isinstance(event, type) and issubclass(event, Event) and isinstance(event.name, str):
        return event.name
    raise TypeError(f"Subscribe to an event definition or ALL_EVENTS, not {event!r}.")


_in_transaction_handlers: dict[str, list[Handler]] = defaultdict(list)
_relayed_handlers: dict[str, list[Handler]] = defaultdict(list)
_after_commit_handlers: dict[str, list[Handler]] = defaultdict(list)


def _register(registry: dict[str, list[Handler]], name: str) -> Callable[[Handler], Handler]:
    def decorator(handler: Handler) -> Handler:
        if handler not in registry[name]:
            registry[name].append(handler)
        return handler

    return decorator


def subscribe(event: type[Event] | str) -> Callable[[Handler], Handler]:
    """Run the decorated function inside the publishing transaction for this event (or for
    ALL_EVENTS); it receives the outbox row."""
    return _register(_in_transaction_handlers, _name_of(event))


def subscribe_relayed(
    event: type[Event] | str, *, after_commit: bool = False
) -> Callable[[Handler], Handler]:
    """Run the decorated function in a worker once the event has committed and is relayed.

    The relayed handlers of one event share a transaction. With `after_commit` the function
    runs once that transaction has committed, outside any: for what leaves the system and may
    be slow (e-mail). If it fails, the event is relayed again later, with all its handlers."""
    registry = _after_commit_handlers if after_commit else _relayed_handlers
    return _register(registry, _name_of(event))


def unsubscribe(handler: Handler) -> None:
    for registry in (_in_transaction_handlers, _relayed_handlers, _after_commit_handlers):
        for handlers in registry.values():
            if handler in handlers:
                handlers.remove(handler)


def handlers_for(name: str, *, relayed: bool = False, after_commit: bool = False) -> list[Handler]:
    if after_commit:
        return list(_after_commit_handlers.get(name, ()))
    registry = _relayed_handlers if relayed else _in_transaction_handlers
    return [*registry.get(name, ()), *registry.get(ALL_EVENTS, ())]


def publish(event: Event) -> OutboxEvent:
    """Record an event and run its in-process subscribers; must be called in a transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"publish({event.name!r}) must be called inside transaction.atomic().")
    return publish_recorded(_insert_outbox_row(event.name, event.payload()))


def publish_recorded(event: OutboxEvent) -> OutboxEvent:
    """Publish an event whose outbox row the caller wrote in one of its own statements (the
    ledger's hot path does, to save a round trip): run the subscribers, relay after commit."""
    for handler in handlers_for(event.name):
        handler(event)
    transaction.on_commit(request_relay)
    return event


def _insert_outbox_row(name: str, payload: dict[str, Any]) -> OutboxEvent:
    """One INSERT ... RETURNING: every state change publishes, so this is the hottest write in
    the system, and the ORM's create() costs several times the statement itself."""
    connection = transaction.get_connection()
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {OutboxEvent._meta.db_table} "
            "(name, payload, created_at, relay_attempts, next_attempt_at, last_error) "
            "VALUES (%s, %s, %s, 0, %s, '') RETURNING id",
            [
                name,
                connection.ops.adapt_json_value(payload, DjangoJSONEncoder),
                connection.ops.adapt_datetimefield_value(now),
                connection.ops.adapt_datetimefield_value(now),
            ],
        )
        (event_id,) = cursor.fetchone()
    event = OutboxEvent(
        id=event_id, name=name, payload=payload, created_at=now, next_attempt_at=now
    )
    event._state.adding = False
    event._state.db = connection.alias
    return event


# When this process last asked a worker to relay (monotonic clock) and for when.
_relay_due_at = float("-inf")


def request_relay() -> bool:
    """Ask a worker to relay every committed event, without a broker round trip per event.

    The relay runs OUTBOX_RELAY_DELAY_MS after the first request and then relays
    everything committed so far, so this process asks again only once that moment has passed.
    A broker outage is not the customer's problem: the rows wait and the sweep relays them.
    """
    global _relay_due_at
    from apps.core.tasks import relay_outbox_task

    now = time.monotonic()
    if now < _relay_due_at:
        return True
    # An eager relay runs now and cannot wait for the events still to come.
    eager = relay_outbox_task.app.conf.task_always_eager
    delay = 0 if eager else settings.OUTBOX_RELAY_DELAY_MS / 1000
    try:
        relay_outbox_task.apply_async(countdown=delay)
    except (BrokerError, RedisError, OSError):
        logger.warning("Broker unreachable; outbox events wait for the sweep.")
        return False
    _relay_due_at = now + delay
    return True
