import pytest

from apps.partners.services import partner_link_customer
from apps.preferences.models import Source
from apps.preferences.services import preference_declare
from apps.privacy.models import AccessLog
from tests.consent.factories import grant_consent

pytestmark = pytest.mark.django_db


def _customer(partner, purposes, external_id="4711", grants=("partner_sharing", "personalization")):
    profile, _created = partner_link_customer(partner=partner, external_id=external_id)
    for key in grants:
        grant_consent(profile, purposes[key])
    return profile


def test_without_a_token_the_answer_is_401_problem_json(client):
    response = client.get("/api/v1/profiles/?external_id=1")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "/api/problems/not-authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_token_is_401(client):
    response = client.get("/api/v1/profiles/?external_id=1", HTTP_AUTHORIZATION="Bearer nope")

    assert response.status_code == 401
    assert response.json()["type"] == "/api/problems/invalid-token"


def test_lookup_by_own_id_finds_a_sharing_customer_and_logs_the_read(shop, purposes):
    profile = _customer(shop.partner, purposes)

    response = shop.get("/api/v1/profiles/", {"external_id": "4711"})

    assert response.status_code == 200
    assert response.json()["id"] == str(profile.public_id)
    assert response["RateLimit-Policy"].startswith('"partner";q=')
    log = AccessLog.objects.get(profile=profile)
    assert (log.actor_kind, log.partner_name, log.data_category) == ("partner", "Shop", "profile")


def test_a_customer_who_does_not_share_with_partners_is_not_found(shop, purposes):
    profile = _customer(shop.partner, purposes, grants=("personalization",))

    assert shop.get("/api/v1/profiles/", {"external_id": "4711"}).status_code == 404
    assert shop.get(f"/api/v1/profiles/{profile.public_id}/").status_code == 404
    assert not AccessLog.objects.exists()


def test_preferences_only_under_purposes_allowed_and_granted(shop, purposes, make_partner):
    from tests.preferences.factories import AttributeFactory

    profile = _customer(
        shop.partner, purposes, grants=("partner_sharing", "personalization", "email_marketing")
    )
    diet = AttributeFactory(key="diet", purpose=purposes["personalization"])
    newsletter = AttributeFactory(key="topics", purpose=purposes["email_marketing"])
    for attribute in (diet, newsletter):
        preference_declare(profile=profile, attribute=attribute, value="savory", source=Source.QUIZ)

    response = shop.get(f"/api/v1/profiles/{profile.public_id}/preferences/")

    assert response.status_code == 200
    assert [row["attribute"] for row in response.json()] == ["diet"]
    again = shop.get(
        f"/api/v1/profiles/{profile.public_id}/preferences/", HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert again.status_code == 304
