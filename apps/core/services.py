import logging
from collections.abc import Collection
from datetime import timedelta

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from apps.core.events import handlers_for
from apps.core.models import OutboxEvent

logger = logging.getLogger(__name__)


def outbox_event_relay(*, event_id: int, skip_locked: bool = False) -> OutboxEvent | None:
    """Run the relayed handlers of one event and mark it published, at most once.

    The attempt is counted first, in its own statement, so failing handlers show up in
    `relay_attempts`. The row lock makes a second relay of the same event (a retried task,
    the sweep racing the after-commit task) wait and then see it published, or skip it.
    """
    OutboxEvent.objects.unpublished().filter(pk=event_id).update(
        relay_attempts=F("relay_attempts") + 1
    )
    with transaction.atomic():
        event = (
            OutboxEvent.objects.select_for_update(skip_locked=skip_locked)
            .filter(pk=event_id)
            .first()
        )
        if event is None or event.is_published:
            return event
        for handler in handlers_for(event.name, relayed=True):
            handler(event)
        event.published_at = timezone.now()
        event.save(update_fields=["published_at"])
        return event


def outbox_relay_pending(*, batch_size: int) -> int:
    """Relay every committed event no relay has tried yet, oldest first. Events whose relay
    failed before are left to the sweep, so one broken handler cannot stall every relay."""
    return _relay_in_batches(OutboxEvent.objects.filter(relay_attempts=0), batch_size)


def outbox_sweep(*, grace_seconds: int, batch_size: int) -> int:
    """Relay every event still unpublished `grace_seconds` after it was written.

    Each event is relayed in its own transaction, so one failing handler does not hold back
    the rest; it stays unpublished and the next sweep tries again.
    """
    cutoff = timezone.now() - timedelta(seconds=grace_seconds)
    return _relay_in_batches(OutboxEvent.objects.filter(created_at__lte=cutoff), batch_size)


def _relay_in_batches(events: QuerySet[OutboxEvent], batch_size: int) -> int:
    relayed = 0
    last_id = 0
    while True:
        batch = list(
            events.unpublished()
            .filter(pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not batch:
            return relayed
        for event_id in batch:
            try:
                event = outbox_event_relay(event_id=event_id, skip_locked=True)
            except Exception:
                logger.exception(
                    "Relaying outbox event %s failed; the next sweep retries.", event_id
                )
                continue
            if event is not None and event.is_published:
                relayed += 1
        last_id = batch[-1]


@transaction.atomic
def outbox_events_redact(
    *,
    events: QuerySet[OutboxEvent],
    drop: Collection[str] = (),
    keep: Collection[str] | None = None,
) -> int:
    """Take personal values out of recorded events: the payload keys in `drop`, or every key
    not in `keep`. An event not relayed yet is marked relayed, because what it would set off
    (an e-mail, a webhook) concerned a person whose data is being erased. Returns how many
    events changed."""
    now = timezone.now()
    changed = 0
    for event in events.select_for_update().order_by("pk"):
        payload = {
            key: value
            for key, value in event.payload.items()
            if key not in drop and (keep is None or key in keep)
        }
        if payload == event.payload and event.is_published:
            continue
        OutboxEvent.objects.filter(pk=event.pk).update(
            payload=payload, published_at=event.published_at or now
        )
        changed += 1
    return changed
