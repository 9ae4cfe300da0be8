"""Webhooks after the Standard Webhooks spec: endpoints, signed deliveries, retries.

Nothing here talks HTTP inside a customer's request. The relayed subscriber only writes
delivery rows (in the outbox relay's transaction) and asks a worker to send them after
commit; the per-minute sweep sends whatever is due, so a lost task or a broker outage
delays a delivery but never drops it. Each attempt is claimed under a row lock and counted
before the POST, so a task that runs twice sends once.
"""

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import RedisError
from standardwebhooks import Webhook

from apps.core.events import EVENT_DEFINITIONS, subscribe_relayed
from apps.core.exceptions import ApplicationError
from apps.core.models import OutboxEvent
from apps.partners.models import PartnerChange, WebhookDelivery, WebhookEndpoint
from apps.partners.outbound import ALWAYS_TOLD, partner_notices
from apps.partners.services.deadline import DeadlineAdapter, deadline
from apps.partners.services.webhook_access import webhook_delivery_access_log
from apps.partners.services.webhook_endpoints import (
    WebhookAddressRefused,
    _endpoint_disable,
    _public_addresses,
)

logger = logging.getLogger(__name__)

# A Retry-After longer than this is read as this: a partner cannot park a message for weeks.
MAX_RETRY_AFTER = timedelta(hours=24)
DISABLE_AFTER_FAILING = timedelta(days=5)
# Waits up to this long ride on a Celery countdown; longer ones are the sweep's, because a
# countdown task outlives neither a Redis flush nor Redis's visibility timeout (1 h).
COUNTDOWN_LIMIT = timedelta(minutes=10)
SWEEP_BATCH_SIZE = 100
USER_AGENT = "Resonanz-Webhooks/1.0"


def _attempt_lease() -> timedelta:
    """While an attempt is queued or in flight the sweep leaves the row alone; if the worker
    dies, the sweep takes it up again after this (WEBHOOK_ATTEMPT_LEASE_SECONDS, 5 minutes)."""
    return timedelta(seconds=settings.WEBHOOK_ATTEMPT_LEASE_SECONDS)


# Messages -----------------------------------------------------------------------------------


def _runs_in_process() -> bool:
    from apps.partners.tasks import deliver_webhook_task

    return bool(deliver_webhook_task.app.conf.task_always_eager)


def _enqueue(delivery_id: int, attempts: int, countdown: float = 0) -> None:
    """Hand an attempt to a worker. Without one (eager demo mode) the sweep sends it, so a
    customer's request never waits on a partner's server."""
    from apps.partners.tasks import deliver_webhook_task

    if _runs_in_process():
        return
    try:
        deliver_webhook_task.apply_async((delivery_id, attempts), countdown=countdown)
    except (BrokerError, RedisError, OSError):
        logger.warning("Broker unreachable; webhook delivery %s waits for the sweep.", delivery_id)


def _delivery_new(
    endpoint: WebhookEndpoint, *, message_id: str, event_type: str, payload: dict
) -> WebhookDelivery:
    now = timezone.now()
    return WebhookDelivery(
        endpoint=endpoint,
        message_id=message_id,
        event_type=event_type,
        payload=payload,
        created_at=now,
        # Queued at once after commit; the sweep steps in only if that task is lost.
        next_attempt_at=now if _runs_in_process() else now + _attempt_lease(),
    )


def webhooks_notify(event: OutboxEvent) -> list[WebhookDelivery]:
    """One delivery per active endpoint subscribed to the event, for every partner that may
    hear of it, carrying only what partner_notices() lets that partner see."""
    notices = partner_notices(event=event)
    if not notices:
        return []
    endpoints: dict[int, list[WebhookEndpoint]] = {}
    for endpoint in WebhookEndpoint.objects.filter(
        partner__in=[notice.partner for notice in notices], is_active=True
    ):
        endpoints.setdefault(endpoint.partner_id, []).append(endpoint)
    timestamp = event.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    deliveries = [
        _delivery_new(
            endpoint,
            message_id=f"msg_{uuid.uuid4().hex}",
            event_type=notice.kind,
            payload={"type": notice.kind, "timestamp": timestamp, "data": notice.payload},
        )
        for notice in notices
        for endpoint in endpoints.get(notice.partner.pk, [])
        if notice.kind in endpoint.event_types
    ]
    if not deliveries:
        return []
    deliveries = WebhookDelivery.objects.bulk_create(deliveries)
    transaction.on_commit(lambda: [_enqueue(delivery.pk, 0) for delivery in deliveries])
    return deliveries


for _kind in PartnerChange.Kind.values:
    subscribe_relayed(EVENT_DEFINITIONS[_kind])(webhooks_notify)


def _still_visible(delivery: WebhookDelivery) -> bool:
    """Whether the partner may still be told this: a retry hours later, or a replay, must not
    carry data the customer has since stopped sharing."""
    if delivery.event_type in ALWAYS_TOLD:
        return True
    data = delivery.payload.get("data") or {}
    notices = partner_notices(event=OutboxEvent(name=delivery.event_type, payload=data))
    return any(
        notice.partner.pk == delivery.endpoint.partner_id and notice.payload == data
        for notice in notices
    )


def webhook_delivery_replay(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send the same message (same webhook-id, so receivers can dedupe) once more, as a new
    delivery with its own attempts."""
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        raise ApplicationError(_("The endpoint is disabled; switch it on before replaying."))
    if not _still_visible(delivery):
        raise ApplicationError(_("The customer no longer shares this data with you."))
    with transaction.atomic():
        replay = _delivery_new(
            endpoint,
            message_id=delivery.message_id,
            event_type=delivery.event_type,
            payload=delivery.payload,
        )
        replay.save()
        transaction.on_commit(partial(_enqueue, replay.pk, 0))
    return replay


# Sending ------------------------------------------------------------------------------------


def webhook_signatures(
    *, endpoint: WebhookEndpoint, message_id: str, at: datetime, body: str
) -> str:
    """`v1,<sig>` with the current secret, and with the previous one while it is still valid."""
    keys = [endpoint.secret]
    until = endpoint.previous_secret_until
    if endpoint.previous_secret and until and until > timezone.now():
        keys.append(endpoint.previous_secret)
    return " ".join(Webhook(key).sign(message_id, at, body) for key in keys)


class _PinnedAddressAdapter(DeadlineAdapter):
    """Connects to the address we checked rather than asking DNS again, which could answer
    differently this time (DNS rebinding). TLS still checks the certificate for the host."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__(max_retries=0)

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        hostname = host_params["host"]
        host_params["host"] = self.address
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = hostname
            pool_kwargs["assert_hostname"] = hostname
        return host_params, pool_kwargs


def _post(url: str, body: bytes, headers: dict[str, str]) -> requests.Response:
    """POST within WEBHOOK_DELIVERY_DEADLINE_SECONDS in all (`deadline`): an endpoint that
    answers a byte at a time fails the attempt instead of holding the worker."""
    parts = urlsplit(url)
    with (
        requests.Session() as session,
        deadline(settings.WEBHOOK_DELIVERY_DEADLINE_SECONDS) as time_left,
    ):
        # No proxies from the environment: they would connect somewhere we did not check.
        session.trust_env = False
        session.mount(f"{parts.scheme}://", DeadlineAdapter(max_retries=0))
        if not settings.WEBHOOKS_ALLOW_PRIVATE_URLS:
            default_port = 443 if parts.scheme == "https" else 80
            address = _public_addresses(parts.hostname, parts.port or default_port)[0]
            session.mount(f"{parts.scheme}://", _PinnedAddressAdapter(address))
            headers = {**headers, "Host": parts.netloc}
        return session.post(
            url,
            data=body,
            headers=headers,
            timeout=min(settings.WEBHOOK_TIMEOUT_SECONDS, time_left.remaining()),
            # A redirect could lead anywhere, a private address included: it counts as failed.
            allow_redirects=False,
            stream=True,
        )


@dataclass(frozen=True)
class Outcome:
    status_code: int | None = None
    error: str = ""
    retry_after: timedelta | None = None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _retry_after(value: str | None) -> timedelta | None:
    value = (value or "").strip()
    if not value.isdigit():
        return None
    return min(timedelta(seconds=int(value)), MAX_RETRY_AFTER)


def _send(delivery: WebhookDelivery) -> Outcome:
    body = json.dumps(
        delivery.payload, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False
    )
    # Aware and in UTC: the library relabels a time zone instead of converting it.
    signed_at = datetime.now(tz=UTC).replace(microsecond=0)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(signed_at.timestamp())),
        "webhook-signature": webhook_signatures(
            endpoint=delivery.endpoint, message_id=delivery.message_id, at=signed_at, body=body
        ),
    }
    try:
        response = _post(delivery.endpoint.url, body.encode(), headers)
    except WebhookAddressRefused as error:
        return Outcome(error=str(error)[:300])
    except requests.RequestException as error:
        return Outcome(error=f"{type(error).__name__}: {error}"[:300])
    # Only the status and headers matter; the body is never read.
    response.close()
    return Outcome(
        status_code=response.status_code,
        error="" if 200 <= response.status_code < 300 else f"HTTP {response.status_code}",
        retry_after=_retry_after(response.headers.get("Retry-After")),
    )


def _finish(delivery: WebhookDelivery, *, error: str) -> None:
    delivery.status = WebhookDelivery.Status.FAILED
    delivery.next_attempt_at = None
    delivery.last_error = error[:300]
    delivery.save(update_fields=["status", "next_attempt_at", "last_error"])


def _claim(delivery_id: int, expected_attempts: int | None) -> WebhookDelivery | None:
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint__partner")
            .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
            .first()
        )
        if delivery is None:
            return None
        if expected_attempts is not None and delivery.attempts != expected_attempts:
            return None  # a duplicate task: another one already made this attempt
        endpoint = delivery.endpoint
        if not endpoint.is_active or not endpoint.partner.is_active:
            _finish(delivery, error=_("The endpoint was disabled."))
            return None
        if not _still_visible(delivery):
            _finish(delivery, error=_("The customer no longer shares this data."))
            return None
        now = timezone.now()
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.next_attempt_at = now + _attempt_lease()
        delivery.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at"])
        if delivery.attempts == 1:
            webhook_delivery_access_log(delivery=delivery)
        return delivery


def _record(claimed: WebhookDelivery, outcome: Outcome) -> WebhookDelivery:
    with transaction.atomic():
        # Endpoint first, then delivery: the order every writer here takes, so none deadlock.
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=claimed.endpoint_id)
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .filter(pk=claimed.pk, attempts=claimed.attempts, status=WebhookDelivery.Status.PENDING)
            .first()
        )
        if delivery is None:
            return claimed  # given up meanwhile, e.g. the endpoint was switched off
        now = timezone.now()
        delivery.last_status_code = outcome.status_code
        delivery.last_error = outcome.error
        delivery.next_attempt_at = None
        disable_reason = ""
        if outcome.succeeded:
            delivery.status = WebhookDelivery.Status.SUCCEEDED
            if endpoint.failing_since is not None:
                endpoint.failing_since = None
                endpoint.save(update_fields=["failing_since"])
        else:
            if endpoint.failing_since is None:
                endpoint.failing_since = now
                endpoint.save(update_fields=["failing_since"])
            if outcome.status_code == 410:
                disable_reason = _("The endpoint answered 410 Gone.")
            elif now - endpoint.failing_since >= DISABLE_AFTER_FAILING:
                disable_reason = _("Every delivery failed for five days.")
            # The first attempt goes out at once; after each failure the next waits as long
            # as WEBHOOK_RETRY_SCHEDULE says, and there is one attempt more than waits.
            schedule = settings.WEBHOOK_RETRY_SCHEDULE
            if disable_reason or delivery.attempts > len(schedule):
                delivery.status = WebhookDelivery.Status.FAILED
            else:
                delay = max(
                    timedelta(seconds=schedule[delivery.attempts - 1]),
                    outcome.retry_after or timedelta(),
                )
                delivery.next_attempt_at = now + delay
                if delay <= COUNTDOWN_LIMIT:
                    transaction.on_commit(
                        partial(_enqueue, delivery.pk, delivery.attempts, delay.total_seconds())
                    )
        delivery.save(update_fields=["status", "next_attempt_at", "last_status_code", "last_error"])
        if disable_reason:
            _endpoint_disable(endpoint, reason=disable_reason)
    return delivery


def webhook_delivery_attempt(
    *, delivery_id: int, expected_attempts: int | None = None
) -> WebhookDelivery | None:
    """Make the next attempt of a pending delivery: claim it, POST outside any transaction,
    record the outcome and schedule the retry. `expected_attempts` makes a duplicate task
    (same attempt asked for twice) a no-op. Returns None when nothing was sent."""
    delivery = _claim(delivery_id, expected_attempts)
    if delivery is None:
        return None
    return _record(delivery, _send(delivery))


def webhook_deliveries_send_due(*, batch_size: int = SWEEP_BATCH_SIZE) -> int:
    """Every pending delivery whose time has come, in batches, each leased so the next sweep
    leaves it alone while a worker has it. Without a worker (eager mode) it sends them here."""
    in_process = _runs_in_process()
    handed_out = 0
    while True:
        with transaction.atomic():
            now = timezone.now()
            due = list(
                WebhookDelivery.objects.select_for_update(skip_locked=True)
                .filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
                .order_by("next_attempt_at", "pk")
                .values_list("pk", "attempts")[:batch_size]
            )
            if not due:
                return handed_out
            WebhookDelivery.objects.filter(pk__in=[pk for pk, _attempts in due]).update(
                next_attempt_at=now + _attempt_lease()
            )
        for pk, attempts in due:
            if in_process:
                webhook_delivery_attempt(delivery_id=pk, expected_attempts=attempts)
            else:
                _enqueue(pk, attempts)
        handed_out += len(due)
        if len(due) < batch_size:
            return handed_out
