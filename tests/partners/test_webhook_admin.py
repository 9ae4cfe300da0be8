import socket

import pytest
from django.urls import reverse

from apps.partners.models import WebhookDelivery, WebhookEndpoint
from apps.partners.services import partner_client_create, partner_link_customer
from apps.partners.services.webhook_endpoints import (
    MAX_ENDPOINTS_PER_PARTNER,
    webhook_endpoint_create,
)
from apps.privacy.models import AccessLog

pytestmark = pytest.mark.django_db

URL = "https://hooks.shop.example/resonanz"


@pytest.fixture
def dns(monkeypatch, settings):
    """Production URL checks; the one host name answers a public address."""
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False

    def getaddrinfo(host, port, *args, **kwargs):
        if host != "hooks.shop.example":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def english_admin(admin_client, settings):
    """The admin in English, for tests that match form errors by their words."""
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return admin_client


@pytest.fixture
def partner():
    partner, _secret = partner_client_create(name="Shop", key="shop", scopes=[], purpose_keys=[])
    return partner


def _add(admin_client, partner, url=URL):
    return admin_client.post(
        reverse("admin:partners_webhookendpoint_add"),
        {
            "partner": partner.pk,
            "url": url,
            "event_types": ["tier.changed"],
            "description": "",
            "is_active": "on",
        },
    )


def test_the_endpoint_admin_creates_an_endpoint_and_shows_its_secret(admin_client, partner, dns):
    response = _add(admin_client, partner)

    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret in str(list(response.wsgi_request._messages))


def test_the_endpoint_admin_refuses_the_twenty_first_endpoint_as_a_form_error(
    english_admin, partner, dns
):
    for _n in range(MAX_ENDPOINTS_PER_PARTNER):
        webhook_endpoint_create(partner=partner, url=URL, event_types=["tier.changed"])

    response = _add(english_admin, partner)

    assert response.status_code == 200
    assert list(response.context["adminform"].form.non_field_errors()) == [
        f"A partner may have at most {MAX_ENDPOINTS_PER_PARTNER} webhook endpoints."
    ]
    assert WebhookEndpoint.objects.count() == MAX_ENDPOINTS_PER_PARTNER


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://hooks.shop.example:99999/", "no valid port"),
        ("https://10.0.0.5/hook", "public internet addresses"),
    ],
)
def test_the_endpoint_admin_refuses_a_bad_url_as_a_form_error(
    english_admin, partner, dns, url, message
):
    response = _add(english_admin, partner, url=url)

    assert response.status_code == 200
    assert message in response.context["adminform"].form.errors["url"][0]
    assert not WebhookEndpoint.objects.exists()


def _delivery(partner) -> tuple[WebhookDelivery, object]:
    profile, _created = partner_link_customer(partner=partner, external_id="4711")
    endpoint = WebhookEndpoint.objects.create(
        partner=partner, url=URL, event_types=["tier.changed"], secret="whsec_x"
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        message_id="msg_1",
        event_type="tier.changed",
        payload={
            "type": "tier.changed",
            "timestamp": "2026-11-20T10:00:00Z",
            "data": {"profile": str(profile.public_id), "tier": "gold", "previous": "silver"},
        },
    )
    return delivery, profile


def test_reading_a_delivery_in_the_admin_logs_the_read_of_its_customer(
    admin_client, admin_user, partner
):
    delivery, profile = _delivery(partner)
    url = reverse("admin:partners_webhookdelivery_change", args=[delivery.pk])
    admin_client.post(url, {"_access_reason": "1", "reason": "Checking a complaint"})

    response = admin_client.get(url)

    assert response.status_code == 200
    assert str(profile.public_id).encode() in response.content
    assert list(AccessLog.objects.values_list("profile", "staff_user", "data_category")) == [
        (profile.pk, admin_user.pk, "webhook_payload")
    ]


def test_the_delivery_list_shows_no_payload_and_logs_no_read(admin_client, partner):
    delivery, profile = _delivery(partner)

    response = admin_client.get(reverse("admin:partners_webhookdelivery_changelist"))

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [delivery]
    assert str(profile.public_id).encode() not in response.content
    assert not AccessLog.objects.exists()
