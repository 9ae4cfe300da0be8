"""The README's partner section, step by step, against the seeded demo: a token, the demo
customer, a purchase that earns points, the balance, and the signed webhook that follows."""

import base64
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from apps.core.services import outbox_relay_pending
from apps.partners.demo import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_CUSTOMER_ID
from tests.partners.test_webhook_delivery import Receiver

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_in_tmp")]


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    running = Receiver()
    yield running
    running.close()


def _token(client) -> str:
    basic = base64.b64encode(f"{DEMO_CLIENT_ID}:{DEMO_CLIENT_SECRET}".encode()).decode()
    response = client.post(
        "/api/oauth/token/",
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def test_a_demo_purchase_earns_points_and_reaches_the_partners_webhook(demo, client, receiver):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {_token(client)}")
    customer = api.get("/api/v1/profiles/", {"external_id": DEMO_CUSTOMER_ID}).json()["id"]
    endpoint = api.post(
        "/api/v1/webhook-endpoints/",
        {"url": receiver.url, "event_types": ["points.changed"]},
        format="json",
    ).json()
    receiver.secrets.append(endpoint["secret"])

    purchase = api.post(
        "/api/v1/events/",
        {
            "type": "purchase",
            "profile": customer,
            "properties": {"order": "A-1001", "amount": 42.5},
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="order-A-1001",
    )
    loyalty = api.get(f"/api/v1/profiles/{customer}/loyalty/").json()
    outbox_relay_pending(batch_size=100)
    call_command("send_webhooks", stdout=StringIO())

    assert purchase.status_code == 201
    assert purchase.json()["points_credited"] == 25
    assert loyalty["balance"] == 25
    (message,) = receiver.received
    assert message["verified_with"] == [endpoint["secret"]]
    assert message["body"]["type"] == "points.changed"
    assert message["body"]["data"]["balance"] == 25


def test_send_webhooks_with_nothing_due_sends_nothing(db):
    out = StringIO()

    call_command("send_webhooks", stdout=out)

    assert "0" in out.getvalue()


def test_seed_demo_prints_links_on_site_url(settings):
    settings.DEBUG = True
    settings.SITE_URL = "https://demo.resonanz.example"
    out = StringIO()

    call_command("seed_demo", stdout=out)

    assert "https://demo.resonanz.example/admin/" in out.getvalue()
    assert "https://demo.resonanz.example/api/docs/" in out.getvalue()
    assert ":8000" not in out.getvalue()
