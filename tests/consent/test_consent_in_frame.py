"""Consent given inside a brand's frame: where it is recorded, how it is named, what the
frame tells the brand's page, and that GPC counts there as on our site."""

import json
import re

import jwt
import pytest
from django.urls import reverse
from django.utils import translation

from apps.consent.collection_points import collection_point_labels
from apps.consent.models import ConsentEvent
from apps.consent.selectors import consent_is_granted
from apps.consent.services import consent_grant
from tests.campaigns.factories import CampaignFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
MARKER = re.compile(r'data-resonanz-event="([^"]*)"')
IN_KAFFEE = "embed:https://shop.example#kaffee"


def _decide(client, key="personalization", decision="grant", **fields):
    url = reverse("consent:decide", args=[key])
    return client.post(url, {"decision": decision, **fields}, headers=HTMX)


def _markers(html: str) -> list[dict]:
    return [json.loads(found.replace("&quot;", '"')) for found in MARKER.findall(html)]


def test_a_decision_in_a_frame_is_recorded_on_the_brand_site_and_campaign(framed, client, purpose):
    CampaignFactory(slug="kaffee")

    _decide(client, collection_point="campaign:kaffee")

    assert ConsentEvent.objects.get().collection_point == IN_KAFFEE


@pytest.mark.parametrize(
    "posted", ["", "preference-center", "embed:https://evil.example", "campaign:a/b"]
)
def test_a_frame_records_the_checked_site_whatever_the_form_says(framed, client, purpose, posted):
    _decide(client, collection_point=posted)

    assert ConsentEvent.objects.get().collection_point == "embed:https://shop.example"


def test_outside_a_frame_the_campaign_stays_the_collection_point(client, purpose):
    _decide(client, collection_point="campaign:kaffee")

    assert ConsentEvent.objects.get().collection_point == "campaign:kaffee"


def test_the_brand_site_is_named_with_the_campaign_in_both_languages():
    CampaignFactory(slug="kaffee", title_de="Kaffee-Quiz", title_en="Coffee quiz")
    keys = [IN_KAFFEE, "embed:https://shop.example", "embed:https://shop.example#gone"]

    with translation.override("en"):
        english = collection_point_labels(keys=keys)
    with translation.override("de"):
        german = collection_point_labels(keys=keys)

    assert [english[key] for key in keys] == [
        "“Coffee quiz” on shop.example",
        "on shop.example",
        "on shop.example",
    ]
    assert german[IN_KAFFEE] == "„Kaffee-Quiz“ auf shop.example"
    assert german["embed:https://shop.example"] == "auf shop.example"


def test_brand_sites_are_named_in_one_query(django_assert_num_queries):
    CampaignFactory(slug="kaffee")
    keys = [IN_KAFFEE, "embed:http://127.0.0.2:8001#kaffee", "embed:unknown"]

    with django_assert_num_queries(1):
        labels = collection_point_labels(keys=keys)

    assert labels["embed:http://127.0.0.2:8001#kaffee"] == "„Quiz kaffee“ auf 127.0.0.2:8001"
    assert labels["embed:unknown"] == "Website einer Marke, die unsere Kampagne zeigt"


def test_the_receipt_names_the_brand_site_in_html_json_and_jwt(framed, client, purpose):
    CampaignFactory(slug="kaffee", title_de="Kaffee-Quiz")
    _decide(client, collection_point="campaign:kaffee")
    receipt_id = ConsentEvent.objects.get().receipt_id

    html = client.get(reverse("consent:receipt", args=[receipt_id])).text
    body = client.get(reverse("consent:receipt-json", args=[receipt_id])).json()
    token = client.get(reverse("consent:receipt-jwt", args=[receipt_id])).text
    payload = jwt.decode(token, options={"verify_signature": False})

    assert "„Kaffee-Quiz“ auf shop.example" in html
    for receipt in (body, payload):
        assert receipt["collectionMethod"] == "Web: „Kaffee-Quiz“ auf shop.example"
        assert receipt["x-resonanz"]["collectionPoint"] == IN_KAFFEE


def test_a_yes_in_a_frame_tells_the_brand_page_granted(framed, client, purpose):
    row = _decide(client).text

    assert _markers(row) == [
        {"type": "consent", "purpose": "personalization", "decision": "granted"}
    ]


@pytest.mark.parametrize("first", ["grant", None])
def test_a_no_in_a_frame_tells_the_brand_page_refused(framed, client, purpose, first):
    if first:
        _decide(client, decision=first)

    row = _decide(client, decision="withdraw").text

    assert _markers(row) == [
        {"type": "consent", "purpose": "personalization", "decision": "refused"}
    ]


def test_a_double_opt_in_waiting_for_its_link_tells_nothing(framed, client, newsletter_purpose):
    row = _decide(client, key="email_marketing", email="kim@example.com").text

    assert "data-resonanz-event" not in row


def test_a_decision_on_our_site_tells_nothing(client, purpose):
    assert "data-resonanz-event" not in _decide(client).text


def test_a_failed_decision_in_a_frame_tells_nothing(framed, client, purpose):
    _decide(client, decision="withdraw")

    again = _decide(client, decision="withdraw").text

    assert 'role="alert"' in again
    assert "data-resonanz-event" not in again


def test_gpc_in_a_frame_withdraws_sharing_as_on_the_site(
    framed, visitor, profile, purpose, sharing_purpose, decision_context
):
    for granted in (purpose, sharing_purpose):
        consent_grant(profile=profile, purpose_version=granted.current_version, **decision_context)

    visitor.get(reverse("consent:center"), headers={"Sec-GPC": "1"})

    event = ConsentEvent.objects.filter(purpose=sharing_purpose).latest("occurred_at")
    assert (event.action, event.trigger, event.gpc_signal) == ("withdraw", "gpc", True)
    assert not consent_is_granted(profile=profile, purpose_key="partner_sharing")
    assert consent_is_granted(profile=profile, purpose_key="personalization")
