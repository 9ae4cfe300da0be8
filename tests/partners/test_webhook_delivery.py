"""Webhook delivery against a real receiver on 127.0.0.1 that checks Standard Webhooks
signatures the way a partner would, with the library partners use."""

import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from apps.consent.evidence import Evidence
from apps.consent.models import Channel
from apps.consent.services import consent_withdraw
from apps.core.events import handlers_for
from apps.core.models import OutboxEvent
from apps.core.services import outbox_relay_pending
from apps.partners.models import WebhookDelivery, WebhookEndpoint
from apps.partners.services import partner_client_create, partner_link_customer, webhook_delivery
from apps.partners.services import webhook_endpoints as endpoints
from apps.partners.services.webhook_delivery import webhook_delivery_replay, webhooks_notify
from apps.partners.services.webhook_endpoints import webhook_endpoint_create, webhook_secret_rotate
from apps.partners.tasks import deliver_due_webhooks_task, deliver_webhook_task
from apps.preferences.models import Source
from apps.preferences.services import preference_declare
from tests.concurrency import run_in_parallel
from tests.consent.factories import grant_consent, published_purpose
from tests.preferences.factories import AttributeFactory

pytestmark = pytest.mark.django_db

PUBLIC_ADDRESS = "93.184.215.14"


class Receiver:
    """A partner's endpoint: answers from a script, and accepts a message only when one of
    the secrets it holds verifies the signature (401 otherwise, as a real receiver would)."""

    def __init__(self) -> None:
        self.secrets: list[str] = []
        self.script: list[tuple[int, dict[str, str]]] = []
        self.received: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = dict(self.headers.items())
                verified_with = []
                for secret in receiver.secrets:
                    try:
                        Webhook(secret).verify(body, headers)
                    except WebhookVerificationError:
                        continue
                    verified_with.append(secret)
                receiver.received.append(
                    {"headers": headers, "body": json.loads(body), "verified_with": verified_with}
                )
                status, extra = receiver.script.pop(0) if receiver.script else (204, {})
                if not verified_with:
                    status, extra = 401, {}
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, *answers: int | tuple[int, dict[str, str]]) -> None:
        self.script += [a if isinstance(a, tuple) else (a, {}) for a in answers]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    running = Receiver()
    yield running
    running.close()


@pytest.fixture
def purposes(db):
    return {
        key: published_purpose(key=key)
        for key in ("partner_sharing", "personalization", "email_marketing")
    }


@pytest.fixture
def partner(purposes):
    partner, _secret = partner_client_create(
        name="Shop",
        key="shop",
        scopes=["webhooks:manage"],
        purpose_keys=["partner_sharing", "personalization"],
        contact_email="tech@shop.example",
    )
    return partner


@pytest.fixture
def customer(partner, purposes):
    profile, _created = partner_link_customer(partner=partner, external_id="4711")
    for key in ("partner_sharing", "personalization", "email_marketing"):
        grant_consent(profile, purposes[key])
    return profile


@pytest.fixture
def endpoint(partner, receiver):
    endpoint = webhook_endpoint_create(
        partner=partner,
        url=receiver.url,
        event_types=["preference.declared", "consent.withdrawn"],
    )
    receiver.secrets = [endpoint.secret]
    return endpoint


def _declare(profile, purpose, key="diet") -> OutboxEvent:
    attribute = AttributeFactory(key=key, purpose=purpose)
    preference_declare(profile=profile, attribute=attribute, value="savory", source=Source.QUIZ)
    return OutboxEvent.objects.filter(name="preference.declared").latest("id")


@pytest.fixture
def delivery(endpoint, customer, purposes) -> WebhookDelivery:
    (delivery,) = webhooks_notify(_declare(customer, purposes["personalization"]))
    return delivery


def _refresh(*rows) -> None:
    for row in rows:
        row.refresh_from_db()


def _wait(delivery: WebhookDelivery) -> float:
    """Seconds from the attempt to the next one."""
    return (delivery.next_attempt_at - delivery.last_attempt_at).total_seconds()


def test_a_delivery_is_signed_and_verified_by_the_receiver(receiver, delivery, customer):
    deliver_webhook_task(delivery.pk, 0)

    (request,) = receiver.received
    assert request["verified_with"] == [delivery.endpoint.secret]
    assert request["headers"]["webhook-id"] == delivery.message_id
    assert delivery.message_id.startswith("msg_")
    assert request["body"]["type"] == "preference.declared"
    assert request["body"]["data"] == {
        "profile": str(customer.public_id),
        "attribute": "diet",
        "purpose": "personalization",
    }
    _refresh(delivery)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        "succeeded",
        1,
        204,
    )
    assert delivery.next_attempt_at is None


def test_a_503_is_retried_with_the_same_message_id(receiver, delivery):
    receiver.answer(503, 200)

    deliver_webhook_task(delivery.pk, 0)

    _refresh(delivery, delivery.endpoint)
    assert (delivery.status, delivery.last_status_code, delivery.last_error) == (
        "pending",
        503,
        "HTTP 503",
    )
    assert _wait(delivery) == pytest.approx(5, abs=1)
    assert delivery.endpoint.failing_since is not None

    deliver_webhook_task(delivery.pk, 1)

    assert [r["headers"]["webhook-id"] for r in receiver.received] == [delivery.message_id] * 2
    assert all(r["verified_with"] for r in receiver.received)
    _refresh(delivery, delivery.endpoint)
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)
    assert delivery.endpoint.failing_since is None


def test_the_retry_schedule_follows_standard_webhooks_then_gives_up(receiver, delivery):
    receiver.answer(*[500] * 8)
    waits = []

    for attempt in range(8):
        deliver_webhook_task(delivery.pk, attempt)
        _refresh(delivery)
        if delivery.next_attempt_at:
            waits.append(round(_wait(delivery)))

    assert waits == [5, 300, 1800, 7200, 18000, 36000, 36000]
    assert (delivery.status, delivery.attempts, len(receiver.received)) == ("failed", 8, 8)


def test_a_duplicate_task_sends_only_once(receiver, delivery):
    deliver_webhook_task(delivery.pk, 0)
    deliver_webhook_task(delivery.pk, 0)

    assert len(receiver.received) == 1


@pytest.mark.parametrize(("retry_after", "expected_wait"), [("600", 600), ("1", 5)])
def test_retry_after_is_honoured_when_longer(receiver, delivery, retry_after, expected_wait):
    receiver.answer((503, {"Retry-After": retry_after}))

    deliver_webhook_task(delivery.pk, 0)

    _refresh(delivery)
    assert _wait(delivery) == pytest.approx(expected_wait, abs=1)


def test_a_410_disables_the_endpoint_at_once_and_tells_the_partner(
    receiver, delivery, customer, purposes, mailoutbox, django_capture_on_commit_callbacks
):
    (waiting,) = webhooks_notify(_declare(customer, purposes["personalization"], key="drink"))
    receiver.answer(410)

    with django_capture_on_commit_callbacks(execute=True):
        deliver_webhook_task(delivery.pk, 0)

    endpoint = WebhookEndpoint.objects.get(pk=delivery.endpoint_id)
    assert endpoint.is_active is False
    assert "410" in endpoint.disabled_reason
    _refresh(delivery, waiting)
    assert (delivery.status, waiting.status) == ("failed", "failed")
    (mail,) = mailoutbox
    assert mail.to == ["tech@shop.example"]
    assert endpoint.url in mail.body
    deliver_webhook_task(waiting.pk, 0)
    assert len(receiver.received) == 1


def test_an_endpoint_failing_for_five_days_is_disabled(
    receiver, delivery, mailoutbox, django_capture_on_commit_callbacks, english
):
    WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(
        failing_since=timezone.now() - timedelta(days=5, minutes=1)
    )
    receiver.answer(500)

    with django_capture_on_commit_callbacks(execute=True):
        deliver_webhook_task(delivery.pk, 0)

    endpoint = WebhookEndpoint.objects.get(pk=delivery.endpoint_id)
    assert endpoint.is_active is False
    assert "five days" in endpoint.disabled_reason
    assert len(mailoutbox) == 1


def test_an_endpoint_failing_for_less_than_five_days_stays_on(receiver, delivery):
    WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(
        failing_since=timezone.now() - timedelta(days=4)
    )
    receiver.answer(500)

    deliver_webhook_task(delivery.pk, 0)

    assert WebhookEndpoint.objects.get(pk=delivery.endpoint_id).is_active is True


def test_during_rotation_either_secret_verifies_and_afterwards_only_the_new(receiver, delivery):
    old = delivery.endpoint.secret
    new = webhook_secret_rotate(endpoint=delivery.endpoint).secret
    receiver.secrets = [old, new]

    deliver_webhook_task(delivery.pk, 0)

    (request,) = receiver.received
    assert request["verified_with"] == [old, new]
    assert len(request["headers"]["webhook-signature"].split(" ")) == 2

    WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(
        previous_secret_until=timezone.now() - timedelta(seconds=1)
    )
    replay = webhook_delivery_replay(delivery=delivery)
    deliver_webhook_task(replay.pk, 0)

    assert receiver.received[1]["verified_with"] == [new]
    assert receiver.received[1]["headers"]["webhook-id"] == delivery.message_id


def test_a_preference_under_a_purpose_the_partner_may_not_see_sends_nothing(
    receiver, endpoint, customer, purposes
):
    event = _declare(customer, purposes["email_marketing"], key="topics")

    assert webhooks_notify(event) == []
    deliver_due_webhooks_task()
    assert not WebhookDelivery.objects.exists()
    assert receiver.received == []


def test_a_retry_after_the_customer_stopped_sharing_is_not_sent(
    receiver, delivery, customer, english
):
    receiver.answer(503)
    deliver_webhook_task(delivery.pk, 0)
    sharing = published_purpose(key="partner_sharing")
    consent_withdraw(
        profile=customer,
        purpose=sharing,
        channel=Channel.WEB,
        collection_point="preference-center",
        evidence=Evidence(),
        language="de",
    )

    deliver_webhook_task(delivery.pk, 1)

    assert len(receiver.received) == 1
    _refresh(delivery)
    assert delivery.status == "failed"
    assert "no longer shares" in delivery.last_error


def test_only_subscribed_event_types_are_sent(receiver, partner, customer, purposes):
    webhook_endpoint_create(partner=partner, url=receiver.url, event_types=["tier.changed"])

    assert webhooks_notify(_declare(customer, purposes["personalization"])) == []


def test_the_relay_creates_deliveries_and_no_http_happens_in_the_request(
    receiver, endpoint, customer, purposes, django_capture_on_commit_callbacks
):
    assert webhooks_notify in handlers_for("preference.declared", relayed=True)

    with django_capture_on_commit_callbacks(execute=True):
        _declare(customer, purposes["personalization"])
    outbox_relay_pending(batch_size=100)

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending"
    assert receiver.received == []  # eager mode: the sweep sends it, not the request
    assert deliver_due_webhooks_task() == 1
    assert len(receiver.received) == 1


def test_the_sweep_sends_only_what_is_due(receiver, delivery, customer, purposes):
    (later,) = webhooks_notify(_declare(customer, purposes["personalization"], key="drink"))
    WebhookDelivery.objects.filter(pk=later.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=3)
    )

    assert deliver_due_webhooks_task() == 1

    assert [r["headers"]["webhook-id"] for r in receiver.received] == [delivery.message_id]


def test_dns_rebinding_to_a_private_address_is_refused_at_delivery(
    receiver, delivery, settings, monkeypatch
):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(
        url=f"https://hooks.shop.example:{receiver.port}/hooks"
    )
    real = socket.getaddrinfo

    def rebinding(host, *args, **kwargs):
        if host == "hooks.shop.example":
            return real("127.0.0.1", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)

    deliver_webhook_task(delivery.pk, 0)

    assert receiver.received == []
    _refresh(delivery)
    assert delivery.status == "pending"
    assert "private" in delivery.last_error


def test_the_connection_goes_to_the_checked_address_with_the_original_host(
    receiver, delivery, settings, monkeypatch
):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(
        url=f"http://hooks.shop.example:{receiver.port}/hooks"
    )
    real = socket.getaddrinfo
    looked_up = []

    def resolve(host, *args, **kwargs):
        looked_up.append(host)
        return real("127.0.0.1" if host == "hooks.shop.example" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    # Pretend loopback is public, to watch the pinned connection reach the receiver.
    monkeypatch.setattr(endpoints, "_address_refused", lambda address: False)

    deliver_webhook_task(delivery.pk, 0)

    (request,) = receiver.received
    assert request["headers"]["Host"] == f"hooks.shop.example:{receiver.port}"
    assert looked_up.count("hooks.shop.example") == 1  # checked once, never asked again
    _refresh(delivery)
    assert delivery.status == "succeeded"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_sweeps_send_each_delivery_once(receiver, endpoint, customer, purposes):
    # Outside a test transaction the relay runs after each commit and makes the deliveries.
    for key in ("a", "b", "c", "d"):
        _declare(customer, purposes["personalization"], key=key)
    assert WebhookDelivery.objects.count() == 4

    assert run_in_parallel(4, lambda _n: deliver_due_webhooks_task()) == []

    assert len(receiver.received) == 4
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"succeeded"}


def test_a_delivery_held_by_a_worker_that_died_is_sent_again_after_the_lease(
    receiver, delivery, settings
):
    settings.WEBHOOK_ATTEMPT_LEASE_SECONDS = 60
    # The worker claims the attempt and dies before it posts (SIGKILL): nothing is recorded.
    webhook_delivery._claim(delivery.pk, delivery.attempts)
    delivery.refresh_from_db()
    assert 59 <= _wait(delivery) <= 60
    assert deliver_due_webhooks_task() == 0

    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    assert deliver_due_webhooks_task() == 1

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)
    assert [r["headers"]["webhook-id"] for r in receiver.received] == [delivery.message_id]
