import base64
import socket
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from standardwebhooks import Webhook

from apps.partners.models import WebhookDelivery, WebhookEndpoint
from apps.partners.services import partner_link_customer
from apps.partners.services.webhook_delivery import webhook_signatures
from apps.partners.services.webhook_endpoints import (
    MAX_ENDPOINTS_PER_PARTNER,
    webhook_endpoint_create,
    webhook_secret_generate,
    webhook_secret_rotate,
    webhook_url_validate,
)
from tests.consent.factories import grant_consent

pytestmark = pytest.mark.django_db

URL = "https://hooks.shop.example/resonanz"
PUBLIC_ADDRESS = "93.184.215.14"
BODY = {"url": URL, "event_types": ["preference.declared", "consent.withdrawn"]}


@pytest.fixture
def dns(monkeypatch, settings):
    """Production URL checks, with host names answered from a table instead of the network."""
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    answers = {"hooks.shop.example": [PUBLIC_ADDRESS], "hooks.other.example": [PUBLIC_ADDRESS]}

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (
                socket.AF_INET6 if ":" in address else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (address, port),
            )
            for address in answers[host]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def _create(client, **body) -> dict:
    response = client.post("/api/v1/webhook-endpoints/", {**BODY, **body}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def _delivery(endpoint: WebhookEndpoint, **fields) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        message_id=fields.pop("message_id", "msg_1"),
        event_type="consent.withdrawn",
        payload={"type": "consent.withdrawn", "timestamp": "2026-11-20T10:00:00Z", "data": {}},
        **fields,
    )


def test_webhook_endpoint_create_answers_the_secret_once(shop, dns):
    created = _create(shop, description="CRM")

    assert created["url"] == URL
    assert created["event_types"] == ["preference.declared", "consent.withdrawn"]
    assert created["is_active"] is True
    assert created["secret"].startswith("whsec_")
    assert len(base64.b64decode(created["secret"].removeprefix("whsec_"))) == 32
    listed = shop.get("/api/v1/webhook-endpoints/").json()
    fetched = shop.get(f"/api/v1/webhook-endpoints/{created['id']}/").json()
    assert [e["id"] for e in listed] == [created["id"]]
    assert "secret" not in listed[0]
    assert "secret" not in fetched


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.5",
        "172.16.3.4",
        "192.168.1.1",
        "127.0.0.1",
        "169.254.169.254",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "100.64.0.1",
        "::1",
        "fe80::1",
        "fd00::1",
        "::ffff:127.0.0.1",
        "64:ff9b::a00:1",
        "2002:7f00:1::",
        "2002:a9fe:a9fe::",
    ],
)
def test_webhook_endpoint_create_refuses_private_and_reserved_addresses(shop, dns, address):
    dns["hooks.shop.example"] = [PUBLIC_ADDRESS, address]

    response = shop.post("/api/v1/webhook-endpoints/", BODY, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "/api/problems/validation-error"
    assert body["errors"][0]["field"] == "url"
    assert "public internet addresses" in body["errors"][0]["message"]
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.shop.example/resonanz", "https://"),
        ("https://nowhere.example/resonanz", "cannot be resolved"),
        ("https://user:pw@hooks.shop.example/", "user name or password"),
        ("https://10.0.0.5/hook", "public internet addresses"),
    ],
)
def test_webhook_url_validate_refuses(dns, url, message, english):
    with pytest.raises(ValidationError) as refused:
        webhook_url_validate(url)

    assert message in refused.value.message_dict["url"][0]


def test_webhook_endpoint_create_refuses_an_out_of_range_port(shop, dns):
    response = shop.post(
        "/api/v1/webhook-endpoints/",
        {**BODY, "url": "https://hooks.shop.example:99999/"},
        format="json",
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    error = response.json()["errors"][0]
    assert (error["field"], error["message"]) == ("url", "This URL has no valid port.")
    assert not WebhookEndpoint.objects.exists()


def test_webhook_url_validate_allows_6to4_of_a_public_address(dns):
    dns["hooks.shop.example"] = ["2002:5db8:d70e::"]

    assert webhook_url_validate(URL) == URL


def test_webhook_url_validate_allows_http_and_loopback_in_the_demo(settings, monkeypatch):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    monkeypatch.setattr(socket, "getaddrinfo", pytest.fail)

    assert webhook_url_validate("http://127.0.0.1:9000/hook") == "http://127.0.0.1:9000/hook"


@pytest.mark.parametrize("event_types", [[], ["points.spent"], "consent.granted"])
def test_event_types_must_be_a_non_empty_subset_of_the_change_kinds(shop, dns, event_types):
    response = shop.post(
        "/api/v1/webhook-endpoints/", {**BODY, "event_types": event_types}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"].startswith("event_types")


def test_webhook_endpoint_create_service_checks_event_types_too(shop, dns):
    with pytest.raises(ValidationError):
        webhook_endpoint_create(partner=shop.partner, url=URL, event_types=["nope"])


def test_a_partner_has_at_most_twenty_endpoints(shop, dns):
    for _n in range(MAX_ENDPOINTS_PER_PARTNER):
        webhook_endpoint_create(partner=shop.partner, url=URL, event_types=["tier.changed"])

    response = shop.post("/api/v1/webhook-endpoints/", BODY, format="json")

    assert response.status_code == 422


def test_webhooks_need_the_webhooks_manage_scope(make_partner, dns):
    client = make_partner(scopes=["profiles:read"])

    response = client.get("/api/v1/webhook-endpoints/")

    assert response.status_code == 403
    assert "webhooks:manage" in response.json()["detail"]


def test_another_partners_ids_answer_404(shop, make_partner, dns):
    other = make_partner(key="other")
    theirs = _create(other)
    delivery = _delivery(WebhookEndpoint.objects.get(public_id=theirs["id"]))
    base = f"/api/v1/webhook-endpoints/{theirs['id']}/"

    answers = [
        shop.get(base),
        shop.patch(base, {"description": "mine"}, format="json"),
        shop.delete(base),
        shop.post(f"{base}rotate-secret/"),
        shop.get(f"{base}deliveries/"),
        shop.post(f"/api/v1/webhook-deliveries/{delivery.public_id}/replay/"),
    ]

    assert {a.status_code for a in answers} == {404}
    assert {a.json()["type"] for a in answers} == {"/api/problems/not-found"}
    assert shop.get("/api/v1/webhook-endpoints/").json() == []
    assert WebhookEndpoint.objects.get(public_id=theirs["id"]).description == ""


def test_webhook_endpoint_update_changes_url_and_event_types(shop, dns):
    created = _create(shop)

    response = shop.patch(
        f"/api/v1/webhook-endpoints/{created['id']}/",
        {"url": "https://hooks.other.example/new", "event_types": ["tier.changed"]},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["url"] == "https://hooks.other.example/new"
    assert response.json()["event_types"] == ["tier.changed"]
    assert "secret" not in response.json()


def test_webhook_endpoint_update_refuses_a_private_url_and_keeps_the_old(shop, dns):
    created = _create(shop)
    dns["hooks.other.example"] = ["192.168.0.10"]

    response = shop.patch(
        f"/api/v1/webhook-endpoints/{created['id']}/",
        {"url": "https://hooks.other.example/"},
        format="json",
    )

    assert response.status_code == 400
    assert WebhookEndpoint.objects.get().url == URL


def test_switching_off_gives_up_waiting_deliveries_and_on_again_clears_the_failure(shop, dns):
    created = _create(shop)
    endpoint = WebhookEndpoint.objects.get()
    waiting = _delivery(endpoint, next_attempt_at=timezone.now())
    url = f"/api/v1/webhook-endpoints/{created['id']}/"

    off = shop.patch(url, {"is_active": False}, format="json").json()
    WebhookEndpoint.objects.update(failing_since=timezone.now())
    on = shop.patch(url, {"is_active": True}, format="json").json()

    assert (off["is_active"], off["disabled_reason"]) == (False, "Switched off by the partner.")
    waiting.refresh_from_db()
    assert waiting.status == "failed"
    assert (on["is_active"], on["disabled_reason"], on["failing_since"]) == (True, "", None)


def test_webhook_endpoint_delete(shop, dns):
    created = _create(shop)
    _delivery(WebhookEndpoint.objects.get())

    response = shop.delete(f"/api/v1/webhook-endpoints/{created['id']}/")

    assert response.status_code == 204
    assert not WebhookEndpoint.objects.exists()
    assert not WebhookDelivery.objects.exists()


def test_rotate_secret_answers_the_new_secret_and_keeps_the_old_for_a_day(shop, dns):
    created = _create(shop)

    response = shop.post(f"/api/v1/webhook-endpoints/{created['id']}/rotate-secret/")

    assert response.status_code == 200
    new = response.json()["secret"]
    assert new != created["secret"]
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.secret, endpoint.previous_secret) == (new, created["secret"])
    assert endpoint.previous_secret_until - timezone.now() == pytest.approx(
        timedelta(hours=24), abs=timedelta(minutes=1)
    )


def test_webhook_signatures_carry_both_secrets_only_during_the_overlap(shop, dns):
    endpoint = webhook_endpoint_create(partner=shop.partner, url=URL, event_types=["tier.changed"])
    old = endpoint.secret
    endpoint = webhook_secret_rotate(endpoint=endpoint)
    now = timezone.now()
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(int(now.timestamp()))}

    both = webhook_signatures(endpoint=endpoint, message_id="msg_1", at=now, body="{}")
    endpoint.previous_secret_until = now - timedelta(seconds=1)
    only_new = webhook_signatures(endpoint=endpoint, message_id="msg_1", at=now, body="{}")

    for secret in (old, endpoint.secret):
        Webhook(secret).verify("{}", {**headers, "webhook-signature": both})
    assert len(both.split(" ")) == 2
    assert only_new == both.split(" ")[0]


def test_webhook_secret_generate_is_random_32_bytes():
    first, second = webhook_secret_generate(), webhook_secret_generate()

    assert first != second
    assert len(base64.b64decode(first.removeprefix("whsec_"))) == 32


def test_deliveries_are_a_cursor_paginated_log_without_payloads(shop, dns):
    created = _create(shop)
    endpoint = WebhookEndpoint.objects.get()
    for n in range(3):
        _delivery(endpoint, message_id=f"msg_{n}")
    url = f"/api/v1/webhook-endpoints/{created['id']}/deliveries/"

    first = shop.get(url, {"limit": 2}).json()
    second = shop.get(first["next"]).json()

    assert [d["message_id"] for d in first["results"]] == ["msg_2", "msg_1"]
    assert [d["message_id"] for d in second["results"]] == ["msg_0"]
    assert "payload" not in first["results"][0]
    assert first["results"][0]["status"] == "pending"


def test_the_delivery_log_takes_the_same_queries_for_one_or_ten(shop, dns):
    created = _create(shop)
    endpoint = WebhookEndpoint.objects.get()
    url = f"/api/v1/webhook-endpoints/{created['id']}/deliveries/"
    counts = []
    for total in (1, 10):
        while WebhookDelivery.objects.count() < total:
            _delivery(endpoint, message_id=f"msg_{WebhookDelivery.objects.count()}")
        with CaptureQueriesContext(connection) as queries:
            assert len(shop.get(url).json()["results"]) == total
        counts.append(len(queries))

    assert counts[0] == counts[1]


def _customer_with_declaration(shop, purposes):
    profile, _created = partner_link_customer(partner=shop.partner, external_id="4711")
    for key in ("partner_sharing", "personalization"):
        grant_consent(profile, purposes[key])
    return profile


def test_replay_sends_the_same_message_again(shop, dns, purposes):
    created = _create(shop)
    profile = _customer_with_declaration(shop, purposes)
    original = WebhookDelivery.objects.create(
        endpoint=WebhookEndpoint.objects.get(),
        message_id="msg_abc",
        event_type="preference.declared",
        payload={
            "type": "preference.declared",
            "timestamp": "2026-11-20T10:00:00Z",
            "data": {
                "profile": str(profile.public_id),
                "attribute": "diet",
                "purpose": "personalization",
            },
        },
        status=WebhookDelivery.Status.FAILED,
        attempts=8,
    )

    response = shop.post(f"/api/v1/webhook-deliveries/{original.public_id}/replay/")

    assert response.status_code == 202
    body = response.json()
    assert (body["message_id"], body["status"], body["attempts"]) == ("msg_abc", "pending", 0)
    assert body["id"] != str(original.public_id)
    log = shop.get(f"/api/v1/webhook-endpoints/{created['id']}/deliveries/").json()
    assert [d["message_id"] for d in log["results"]] == ["msg_abc", "msg_abc"]


def test_replay_is_refused_once_the_customer_stopped_sharing(shop, dns, purposes):
    _create(shop)
    profile = _customer_with_declaration(shop, purposes)
    original = WebhookDelivery.objects.create(
        endpoint=WebhookEndpoint.objects.get(),
        message_id="msg_abc",
        event_type="preference.declared",
        payload={
            "type": "preference.declared",
            "timestamp": "2026-11-20T10:00:00Z",
            "data": {
                "profile": str(profile.public_id),
                "attribute": "topics",
                "purpose": "email_marketing",
            },
        },
    )

    response = shop.post(f"/api/v1/webhook-deliveries/{original.public_id}/replay/")

    assert response.status_code == 422
    assert WebhookDelivery.objects.count() == 1


def test_replay_to_a_disabled_endpoint_is_refused(shop, dns):
    _create(shop)
    endpoint = WebhookEndpoint.objects.get()
    delivery = _delivery(endpoint)
    WebhookEndpoint.objects.update(is_active=False, disabled_reason="410")

    response = shop.post(f"/api/v1/webhook-deliveries/{delivery.public_id}/replay/")

    assert response.status_code == 422
    assert "switch it on" in response.json()["detail"]
