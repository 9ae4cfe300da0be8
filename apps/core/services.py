import logging
import random
from collections.abc import Collection
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from apps.core.events import EVENT_DEFINITIONS, handlers_for, request_relay
from apps.core.models import OutboxEvent

logger = logging.getLogger(__name__)


# While one relay has an event, no other takes it; a relay that died gives it back after this.
RELAY_LEASE = timedelta(minutes=5)
# Previews of earning rules and challenges read the last 30 days of events.
RETENTION_FLOOR = timedelta(days=31)
PRUNE_BATCH_SIZE = 1000


def outbox_retry_delay(*, attempts: int) -> timedelta:
    """How long a relay that failed `attempts` times waits: OUTBOX_RETRY_BASE_SECONDS doubled
    per attempt, capped at OUTBOX_RETRY_MAX_SECONDS, between half and all of it at random, so
    events that failed together (a mail server's outage) do not all return together."""
    ceiling = settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** min(max(attempts - 1, 0), 30)
    ceiling = min(ceiling, settings.OUTBOX_RETRY_MAX_SECONDS)
    return timedelta(seconds=ceiling / 2 + random.uniform(0, ceiling / 2))


def _claim(event_id: int, now: datetime) -> OutboxEvent | None:
    """Take a due event for this relay with one conditional UPDATE: the attempt is counted and
    the event leased, and no row lock outlives the statement."""
    claimed = (
        OutboxEvent.objects.due(now)
        .filter(pk=event_id)
        .update(relay_attempts=F("relay_attempts") + 1, next_attempt_at=now + RELAY_LEASE)
    )
    return OutboxEvent.objects.filter(pk=event_id).first() if claimed else None


def _relay_failed(event: OutboxEvent, error: Exception) -> None:
    now = timezone.now()
    reason = f"{type(error).__name__}: {error}"[:2000]
    unpublished = OutboxEvent.objects.filter(pk=event.pk, published_at__isnull=True)
    if event.relay_attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        unpublished.update(dead_at=now, last_error=reason)
        logger.error(
            "Outbox event %s (%s) is a dead letter after %s attempts: %s",
            event.pk,
            event.name,
            event.relay_attempts,
            reason,
        )
        return
    unpublished.update(
        next_attempt_at=now + outbox_retry_delay(attempts=event.relay_attempts),
        last_error=reason,
    )


def outbox_event_relay(*, event_id: int) -> OutboxEvent | None:
    """Run the relayed handlers of one due event and mark it published.

    The event is claimed first (`_claim`), so a second relay of it (a retried task, the sweep
    racing the after-commit task) finds it taken or published and leaves it. The relayed
    handlers write in one transaction; the after-commit ones (e-mail) run once it has
    committed, holding no lock. Only then is the event published. A failure schedules the
    next attempt (`outbox_retry_delay`), or after OUTBOX_MAX_ATTEMPTS makes the event a dead
    letter, and is raised again for the caller to log.
    """
    event = _claim(event_id, timezone.now())
    if event is None:
        return OutboxEvent.objects.filter(pk=event_id).first()
    try:
        with transaction.atomic():
            for handler in handlers_for(event.name, relayed=True):
                handler(event)
        for handler in handlers_for(event.name, after_commit=True):
            handler(event)
    except Exception as error:
        _relay_failed(event, error)
        raise
    now = timezone.now()
    OutboxEvent.objects.filter(pk=event.pk, published_at__isnull=True).update(
        published_at=now, last_error=""
    )
    event.published_at = event.published_at or now
    return event


def outbox_relay_pending(*, batch_size: int) -> int:
    """Relay every committed event no relay has tried yet, oldest first. Events whose relay
    failed before wait for their next attempt, so one broken handler cannot stall every relay."""
    return _relay_in_batches(OutboxEvent.objects.pending().filter(relay_attempts=0), batch_size)


def outbox_sweep(*, grace_seconds: int, batch_size: int) -> int:
    """Relay every event that is due and was written at least `grace_seconds` ago (the
    after-commit relay had its chance): events it missed and failed ones whose wait is over.

    Each event is relayed on its own, so one failing handler does not hold back the rest.
    """
    now = timezone.now()
    cutoff = now - timedelta(seconds=grace_seconds)
    return _relay_in_batches(
        OutboxEvent.objects.due(now).filter(created_at__lte=cutoff), batch_size
    )


def _relay_in_batches(events: QuerySet[OutboxEvent], batch_size: int) -> int:
    relayed = 0
    last_id = 0
    while True:
        batch = list(
            events.filter(pk__gt=last_id).order_by("pk").values_list("pk", flat=True)[:batch_size]
        )
        if not batch:
            return relayed
        for event_id in batch:
            try:
                event = outbox_event_relay(event_id=event_id)
            except Exception:
                logger.exception(
                    "Relaying outbox event %s failed; it is tried again later.", event_id
                )
                continue
            if event is not None and event.is_published:
                relayed += 1
        last_id = batch[-1]


@transaction.atomic
def outbox_events_replay(*, events: QuerySet[OutboxEvent]) -> list[OutboxEvent]:
    """Give dead letters another round: waiting again, attempts counted from zero, due now.
    The relay after commit takes them; the last error stays until one succeeds. Returns the
    events replayed (others in `events` are left as they are)."""
    dead = list(events.dead().select_for_update().order_by("pk"))
    now = timezone.now()
    OutboxEvent.objects.filter(pk__in=[event.pk for event in dead]).update(
        dead_at=None, relay_attempts=0, next_attempt_at=now
    )
    if dead:
        transaction.on_commit(request_relay)
    return dead


def outbox_prune(*, retention_days: int, batch_size: int = PRUNE_BATCH_SIZE) -> int:
    """Delete events relayed more than `retention_days` ago (never fewer than the previews
    read), in batches. Unpublished and dead events stay, and so do the kinds a reader counts
    as history (`Event.kept_in_outbox`). Returns how many were deleted."""
    cutoff = timezone.now() - max(timedelta(days=retention_days), RETENTION_FLOOR)
    kept = [name for name, event in EVENT_DEFINITIONS.items() if event.kept_in_outbox]
    old = (
        OutboxEvent.objects.filter(published_at__isnull=False, created_at__lt=cutoff)
        .exclude(name__in=kept)
        .order_by("pk")
    )
    deleted = 0
    while True:
        batch = list(old.values_list("pk", flat=True)[:batch_size])
        if not batch:
            return deleted
        deleted += OutboxEvent.objects.filter(pk__in=batch).delete()[0]


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
