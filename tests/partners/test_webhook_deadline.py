"""A delivery attempt has one deadline for the whole exchange, against a real endpoint on
127.0.0.1 that answers one byte every half second (requests' per-read timeout never fires)."""

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from django.utils import timezone

from apps.partners.models import WebhookDelivery, WebhookEndpoint
from apps.partners.services import webhook_endpoints as endpoints
from apps.partners.services.webhook_delivery import webhook_delivery_attempt
from tests.partners.factories import WebhookEndpointFactory

pytestmark = pytest.mark.django_db

ANSWER = b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"


def _read_request(connection: socket.socket) -> None:
    received = b""
    while b"\r\n\r\n" not in received:
        received += connection.recv(65536)
    head, body = received.split(b"\r\n\r\n", 1)
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += connection.recv(65536)


class TricklingEndpoint:
    """Reads the request, then answers one byte per `pause` seconds."""

    def __init__(self, pause: float) -> None:
        self.pause = pause
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        self.requests = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _address = self.listener.accept()
            except OSError:
                return
            with connection:
                _read_request(connection)
                self.requests += 1
                try:
                    for byte in ANSWER:
                        connection.sendall(bytes([byte]))
                        time.sleep(self.pause)
                except OSError:
                    continue  # the client gave up

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def trickling(settings) -> Iterator[TricklingEndpoint]:
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    settings.WEBHOOK_DELIVERY_DEADLINE_SECONDS = 1
    endpoint = TricklingEndpoint(pause=0.5)
    yield endpoint
    endpoint.close()


def _delivery(url: str) -> WebhookDelivery:
    endpoint = WebhookEndpointFactory(url=url, event_types=["consent.withdrawn"])
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        message_id="msg_slow",
        # Withdrawals are told whatever the customer shares: no consent to set up.
        event_type="consent.withdrawn",
        payload={"type": "consent.withdrawn", "data": {"profile": "p", "purpose": "x"}},
        next_attempt_at=timezone.now(),
    )


def test_webhook_delivery_attempt_gives_up_at_the_deadline(trickling, settings):
    delivery = _delivery(trickling.url)

    started = time.monotonic()
    webhook_delivery_attempt(delivery_id=delivery.pk)
    took = time.monotonic() - started

    assert trickling.requests == 1
    assert took < 3  # the whole answer would take 23 s
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.last_status_code is None
    assert delivery.last_error.startswith("DeadlineExceeded: ")
    assert "1 " in delivery.last_error


def test_a_delivery_past_its_deadline_is_retried_on_the_schedule(trickling, settings):
    settings.WEBHOOK_RETRY_SCHEDULE = [10, 60]
    delivery = _delivery(trickling.url)
    waits = []

    for attempt in range(3):
        webhook_delivery_attempt(delivery_id=delivery.pk, expected_attempts=attempt)
        delivery.refresh_from_db()
        if delivery.next_attempt_at:
            waits.append((delivery.next_attempt_at - delivery.last_attempt_at).total_seconds())

    # Counted from the answer, which came a second (the deadline) after the attempt began.
    assert waits == [pytest.approx(11, abs=0.5), pytest.approx(61, abs=0.5)]
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.FAILED, 3)
    assert delivery.last_error.startswith("DeadlineExceeded: ")


def test_the_deadline_holds_on_the_address_pinned_against_dns_rebinding(
    trickling, settings, monkeypatch
):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        return real("127.0.0.1" if host == "hooks.shop.example" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    # Pretend loopback is public, so the pinned connection reaches the slow endpoint.
    monkeypatch.setattr(endpoints, "_address_refused", lambda address: False)
    delivery = _delivery(f"http://hooks.shop.example:{trickling.port}/hooks")

    started = time.monotonic()
    webhook_delivery_attempt(delivery_id=delivery.pk)

    assert time.monotonic() - started < 3
    assert trickling.requests == 1
    delivery.refresh_from_db()
    assert delivery.last_error.startswith("DeadlineExceeded: ")


def test_an_endpoint_answering_in_time_is_delivered(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    settings.WEBHOOK_DELIVERY_DEADLINE_SECONDS = 5
    prompt = TricklingEndpoint(pause=0)
    try:
        delivery = _delivery(prompt.url)
        webhook_delivery_attempt(delivery_id=delivery.pk)
    finally:
        prompt.close()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_status_code) == ("succeeded", 204)
    assert WebhookEndpoint.objects.get(pk=delivery.endpoint_id).failing_since is None
