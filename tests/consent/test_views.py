import uuid

import jsonschema
import jwt
import pytest
from django.test import Client
from django.urls import reverse

from apps.consent.models import ConsentEvent, ConsentState
from apps.consent.receipts import public_key_pem, receipt_verify
from apps.consent.selectors import consent_is_granted
from apps.consent.services import consent_grant, consent_withdraw
from apps.profiles.models import Profile
from apps.profiles.selectors import SESSION_KEY
from tests.campaigns.factories import CampaignFactory
from tests.celery_broker import celery_broker
from tests.consent.factories import publish_new_version
from tests.consent.kantara import KANTARA_V1_1_SCHEMA
from tests.consent.legacy import legacy_no

pytestmark = pytest.mark.django_db


def _decide_url(key: str) -> str:
    return reverse("consent:decide", args=[key])


def test_consent_center_shows_every_purpose_without_creating_a_profile(client, purpose):
    response = client.get(reverse("consent:center"))

    assert response.status_code == 200
    assert "Zweck personalization" in response.content.decode()
    assert not Profile.objects.exists()


def test_consent_center_query_count_does_not_grow_with_the_history(
    visitor, profile, purpose, decision_context, django_assert_max_num_queries
):
    consent_grant(profile=profile, purpose_version=purpose.current_version, **decision_context)
    with django_assert_max_num_queries(20) as one_event:
        visitor.get(reverse("consent:center"))

    for _ in range(5):
        consent_withdraw(profile=profile, purpose=purpose, **decision_context)
        consent_grant(profile=profile, purpose_version=purpose.current_version, **decision_context)
    with django_assert_max_num_queries(len(one_event.captured_queries)):
        response = visitor.get(reverse("consent:center"))

    assert response.content.decode().count("receipt.json") == 11


def test_decision_without_javascript_redirects_back_with_a_message(client, purpose):
    response = client.post(
        _decide_url("personalization"),
        {"decision": "grant", "next": "/me/consents/"},
        follow=True,
    )

    assert response.redirect_chain == [("/me/consents/", 302)]
    assert "Danke. Deine Einwilligung ist gespeichert." in response.content.decode()
    profile = Profile.objects.get()
    assert consent_is_granted(profile=profile, purpose_key="personalization")
    event = ConsentEvent.objects.get()
    assert event.channel == "web"
    assert event.language == "de"
    assert len(event.ip_hmac) == 64


def test_decision_with_htmx_swaps_only_that_row(client, purpose):
    response = client.post(
        _decide_url("personalization"),
        {"decision": "grant", "collection_point": "campaign:summer-quiz"},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith('<li class="consent-row consent-row--granted"')
    assert "<html" not in html
    assert 'value="grant"\n              aria-pressed="true"' in html
    assert ConsentEvent.objects.get().collection_point == "campaign:summer-quiz"


def test_withdraw_takes_one_click_like_granting(client, purpose):
    client.post(_decide_url("personalization"), {"decision": "grant"})

    client.post(_decide_url("personalization"), {"decision": "withdraw"})

    state = ConsentState.objects.get()
    assert state.status == ConsentState.Status.WITHDRAWN


def test_withdrawing_twice_gets_a_translated_message_and_changes_nothing(client, purpose):
    client.post(_decide_url("personalization"), {"decision": "withdraw"})

    response = client.post(
        _decide_url("personalization"), {"decision": "withdraw"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "Dazu hast du bereits Nein gesagt." in response.content.decode()
    assert ConsentEvent.objects.count() == 1


def test_unknown_purpose_is_a_translated_404(client, purpose):
    response = client.post(_decide_url("telepathy"), {"decision": "grant"})

    assert response.status_code == 404
    assert "Diesen Zweck gibt es nicht." in response.content.decode()
    assert not Profile.objects.exists()


def test_an_invalid_decision_changes_nothing(client, purpose):
    response = client.post(
        _decide_url("personalization"), {"decision": "maybe"}, headers={"HX-Request": "true"}
    )

    assert "Wähle Ja oder Nein." in response.content.decode()
    assert not Profile.objects.exists()
    assert not ConsentEvent.objects.exists()


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "home", "nothing-here", "javascript:x"]
)
def test_a_next_url_that_is_not_a_local_path_is_not_followed(client, purpose, next_url):
    response = client.post(_decide_url("personalization"), {"decision": "grant", "next": next_url})

    assert response.status_code == 302
    assert response["Location"] == reverse("consent:center")


def test_a_failed_first_decision_leaves_no_profile_in_the_session(client, newsletter_purpose):
    client.post(_decide_url("email_marketing"), {"decision": "grant", "email": ""})
    stranger = Client()
    stranger.post(_decide_url("email_marketing"), {"decision": "withdraw"})

    response = client.get(reverse("consent:center"))

    assert SESSION_KEY not in client.session
    assert "receipt.json" not in response.content.decode()


def test_decisions_need_the_csrf_token(purpose):
    client = Client(enforce_csrf_checks=True)

    response = client.post(_decide_url("personalization"), {"decision": "grant"})

    assert response.status_code == 403
    assert not ConsentEvent.objects.exists()


def test_double_opt_in_from_the_panel_sends_a_link_that_confirms_on_post(
    client, newsletter_purpose, mailoutbox, django_capture_on_commit_callbacks
):
    with celery_broker("memory://", eager=True), django_capture_on_commit_callbacks(execute=True):
        client.post(
            _decide_url("email_marketing"), {"decision": "grant", "email": "kim@example.com"}
        )

    (message,) = mailoutbox
    confirm_path = message.body.split("http://127.0.0.1:8000", 1)[1].split()[0]
    assert client.get(confirm_path).status_code == 200
    # A visitor without a profile: the request waits in the link, nothing is stored yet.
    assert not ConsentState.objects.exists()

    response = client.post(confirm_path)

    assert response.status_code == 200
    assert ConsentState.objects.get().status == ConsentState.Status.GRANTED
    second = client.post(confirm_path)
    assert second.status_code == 400
    assert "bereits verwendet" in second.content.decode()


def test_a_tampered_confirmation_link_is_a_translated_400(client, newsletter_purpose):
    response = client.get(reverse("consent:confirm", args=["not-a-real-token"]))

    assert response.status_code == 400
    assert "Dieser Bestätigungslink ist ungültig." in response.content.decode()


def test_receipt_json_is_a_signed_kantara_receipt(visitor, profile, purpose, decision_context):
    event = consent_grant(
        profile=profile, purpose_version=purpose.current_version, **decision_context
    )

    response = visitor.get(reverse("consent:receipt-json", args=[event.receipt_id]))

    assert response.status_code == 200
    body = response.json()
    jws = body.pop("jws")
    jsonschema.validate(body, KANTARA_V1_1_SCHEMA)
    assert body["publicKey"] == public_key_pem()
    assert receipt_verify(jws) == body


def test_receipt_html_is_readable(visitor, profile, purpose, decision_context):
    event = consent_grant(
        profile=profile, purpose_version=purpose.current_version, **decision_context
    )

    response = visitor.get(reverse("consent:receipt", args=[event.receipt_id]))

    assert response.status_code == 200
    assert str(event.receipt_id) in response.content.decode()


def test_someone_elses_receipt_is_not_found(client, profile, purpose, decision_context):
    event = consent_grant(
        profile=profile, purpose_version=purpose.current_version, **decision_context
    )

    response = client.get(reverse("consent:receipt-json", args=[event.receipt_id]))

    assert response.status_code == 404
    assert response.json() == {"error": "Diesen Beleg konnten wir nicht finden."}


def test_a_forged_receipt_id_is_not_found(visitor):
    response = visitor.get(reverse("consent:receipt", args=[uuid.uuid4()]))

    assert response.status_code == 404
    assert "Diesen Beleg konnten wir nicht finden." in response.content.decode()


def test_gpc_header_withdraws_sharing_for_a_known_visitor(
    visitor, profile, purpose, sharing_purpose, decision_context
):
    for p in (purpose, sharing_purpose):
        consent_grant(profile=profile, purpose_version=p.current_version, **decision_context)

    visitor.get(reverse("home"), headers={"Sec-GPC": "1"})

    event = ConsentEvent.objects.filter(purpose=sharing_purpose).first()
    assert (event.action, event.trigger, event.gpc_signal) == ("withdraw", "gpc", True)
    assert consent_is_granted(profile=profile, purpose_key="personalization")


def test_gpc_header_from_an_anonymous_visitor_creates_nothing(client, sharing_purpose):
    client.get(reverse("home"), headers={"Sec-GPC": "1"})

    assert not Profile.objects.exists()


def test_gpc_json_is_served(client):
    response = client.get("/.well-known/gpc.json")

    assert response.json()["gpc"] is True


def test_a_material_change_asks_again_on_the_next_visit(
    visitor, profile, purpose, decision_context
):
    consent_grant(profile=profile, purpose_version=purpose.current_version, **decision_context)
    assert "Bitte entscheide kurz erneut" not in visitor.get(reverse("home")).content.decode()

    publish_new_version(purpose, is_material=True)

    assert "Bitte entscheide kurz erneut" in visitor.get(reverse("home")).content.decode()


def test_refusing_every_purpose_costs_no_access(
    client, purpose, sharing_purpose, newsletter_purpose
):
    for key in ("personalization", "partner_sharing", "email_marketing"):
        client.post(_decide_url(key), {"decision": "withdraw"})

    assert ConsentState.objects.filter(status="refused").count() == 3
    for url in (reverse("home"), reverse("consent:center")):
        assert client.get(url).status_code == 200


def test_profile_refusing_everything_has_no_purpose_granted(
    profile_refusing_everything, purpose, sharing_purpose
):
    states = ConsentState.objects.filter(profile=profile_refusing_everything)

    assert {s.status for s in states} == {ConsentState.Status.REFUSED}
    assert states.count() == 2


def test_the_receipt_signing_key_is_published_as_a_jwk(visitor, profile, purpose, decision_context):
    event = consent_grant(
        profile=profile, purpose_version=purpose.current_version, **decision_context
    )
    jws = visitor.get(reverse("consent:receipt-json", args=[event.receipt_id])).json()["jws"]

    (key,) = visitor.get("/.well-known/consent-receipt-keys.json").json()["keys"]

    assert jwt.get_unverified_header(jws)["kid"] == key["kid"]
    verifier = jwt.PyJWK(key).key
    assert jwt.decode(jws, verifier, algorithms=["EdDSA"])["consentReceiptID"] == str(
        event.receipt_id
    )


def _refusal_and_withdrawal(profile, purpose, decision_context) -> None:
    """A first no at a campaign, then a yes and a no in the consent center."""
    campaign = CampaignFactory(
        slug="snack-typ", title_de="Welcher Snack-Typ bist du?", title_en="Which snack are you?"
    )
    at_campaign = {**decision_context, "collection_point": f"campaign:{campaign.slug}"}
    consent_withdraw(profile=profile, purpose=purpose, **at_campaign)
    consent_grant(profile=profile, purpose_version=purpose.current_version, **decision_context)
    consent_withdraw(profile=profile, purpose=purpose, **decision_context)


def _history(response) -> str:
    html = response.content.decode()
    return html[html.index('id="history-heading"') :]


def test_consent_center_tells_a_refusal_from_a_withdrawal_in_german(
    visitor, profile, purpose, decision_context
):
    _refusal_and_withdrawal(profile, purpose, decision_context)

    history = _history(visitor.get(reverse("consent:center")))

    assert history.count("<strong>Abgelehnt</strong>") == 1
    assert history.count("<strong>Widerrufen</strong>") == 1
    assert "Welcher Snack-Typ bist du?" in history
    assert "Deine Datenschutz-Einstellungen" in history
    assert "campaign:" not in history
    assert "preference-center" not in history
    assert "Refused" not in history


def test_consent_center_tells_a_refusal_from_a_withdrawal_in_english(
    visitor, profile, purpose, decision_context, settings
):
    _refusal_and_withdrawal(profile, purpose, decision_context)
    visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    history = _history(visitor.get(reverse("consent:center")))

    assert history.count("<strong>Refused</strong>") == 1
    assert history.count("<strong>Withdrawn</strong>") == 1
    assert "Which snack are you?" in history
    assert "campaign:" not in history
    assert "Abgelehnt" not in history
    assert "Widerrufen" not in history


def test_consent_center_names_collection_points_in_one_query_however_many_campaigns(
    visitor, profile, purpose, decision_context, django_assert_max_num_queries
):
    def no_then_yes_at(slug: str) -> None:
        CampaignFactory(slug=slug)
        at_campaign = {**decision_context, "collection_point": f"campaign:{slug}"}
        consent_withdraw(profile=profile, purpose=purpose, **at_campaign)
        consent_grant(profile=profile, purpose_version=purpose.current_version, **at_campaign)

    no_then_yes_at("erste")
    with django_assert_max_num_queries(30) as one_campaign:
        visitor.get(reverse("consent:center"))
    for number in range(5):
        no_then_yes_at(f"quiz-{number}")

    with django_assert_max_num_queries(len(one_campaign.captured_queries)):
        response = visitor.get(reverse("consent:center"))

    assert "Quiz quiz-4" in _history(response)
    assert "campaign:" not in _history(response)


def test_receipt_of_a_refusal_says_so_with_the_campaign_title(
    visitor, profile, purpose, decision_context, django_assert_max_num_queries
):
    CampaignFactory(slug="snack-typ", title_de="Welcher Snack-Typ bist du?")
    event = consent_withdraw(
        profile=profile,
        purpose=purpose,
        **{**decision_context, "collection_point": "campaign:snack-typ"},
    )

    with django_assert_max_num_queries(12):
        response = visitor.get(reverse("consent:receipt", args=[event.receipt_id]))

    html = response.content.decode()
    assert "<dd>Abgelehnt (" in html
    assert "Welcher Snack-Typ bist du?" in html
    assert "campaign:snack-typ" not in html.split("<pre")[0]


def test_receipt_of_a_withdrawal_in_english(visitor, profile, purpose, decision_context, settings):
    consent_grant(profile=profile, purpose_version=purpose.current_version, **decision_context)
    event = consent_withdraw(profile=profile, purpose=purpose, **decision_context)
    visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = visitor.get(reverse("consent:receipt", args=[event.receipt_id])).content.decode()

    assert "<dd>Withdrawn (" in html
    assert "Your privacy choices (Web)" in html


def test_signed_receipt_of_a_stored_first_no_names_it_a_refusal(visitor, profile, purpose):
    event = legacy_no(profile, purpose)

    body = visitor.get(reverse("consent:receipt-json", args=[event.receipt_id])).json()

    assert body["x-resonanz"]["action"] == "withdraw"
    assert body["x-resonanz"]["decision"] == "refuse"
    assert receipt_verify(body.pop("jws")) == body
