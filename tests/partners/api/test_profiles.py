import pytest

from apps.audit.models import AccessLog
from apps.partners.services import partner_link_customer
from apps.preferences.models import Source
from apps.preferences.services import preference_declare
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


def _withdraw(profile, purpose):
    from apps.consent.evidence import Evidence
    from apps.consent.models import Channel
    from apps.consent.services import consent_withdraw

    consent_withdraw(
        profile=profile,
        purpose=purpose,
        channel=Channel.WEB,
        collection_point="preference-center",
        evidence=Evidence(),
        language="de",
    )


def _declared(profile, purposes):
    from tests.preferences.factories import AttributeFactory

    diet = AttributeFactory(key="diet", purpose=purposes["personalization"])
    preference_declare(profile=profile, attribute=diet, value="savory", source=Source.QUIZ)


def test_a_withdrawn_purpose_hides_its_preferences_on_the_next_read(shop, purposes):
    profile = _customer(shop.partner, purposes)
    _declared(profile, purposes)
    url = f"/api/v1/profiles/{profile.public_id}/preferences/"
    assert [row["attribute"] for row in shop.get(url).json()] == ["diet"]

    _withdraw(profile, purposes["personalization"])

    assert shop.get(url).json() == []


def test_a_customer_who_stops_sharing_with_partners_disappears_at_once(shop, purposes):
    profile = _customer(shop.partner, purposes)
    _declared(profile, purposes)

    _withdraw(profile, purposes["partner_sharing"])

    for part in ("", "preferences/", "consents/", "loyalty/", "ledger/"):
        response = shop.get(f"/api/v1/profiles/{profile.public_id}/{part}")
        assert response.status_code == 404, part
    assert shop.get("/api/v1/profiles/", {"external_id": "4711"}).status_code == 404


def test_another_partners_customer_answers_exactly_like_an_unknown_id(shop, make_partner, purposes):
    other = make_partner(key="crm")
    profile = _customer(other.partner, purposes)
    unknown = shop.get("/api/v1/profiles/00000000-0000-0000-0000-000000000000/")

    response = shop.get(f"/api/v1/profiles/{profile.public_id}/")

    assert response.status_code == unknown.status_code == 404
    assert response.json()["detail"] == unknown.json()["detail"]
    assert other.get(f"/api/v1/profiles/{profile.public_id}/").status_code == 200


def test_a_partner_not_allowed_a_purpose_never_sees_its_data(make_partner, purposes):
    narrow = make_partner(key="narrow", purpose_keys=("partner_sharing",))
    profile = _customer(narrow.partner, purposes)
    _declared(profile, purposes)

    response = narrow.get(f"/api/v1/profiles/{profile.public_id}/preferences/")
    consents = narrow.get(f"/api/v1/profiles/{profile.public_id}/consents/")

    assert response.json() == []
    assert [row["purpose"] for row in consents.json()] == ["partner_sharing"]


def test_the_customer_sees_the_partners_read_on_their_page(shop, purposes, client):
    from tests.profiles.helpers import browse_as

    profile = _customer(shop.partner, purposes)
    _declared(profile, purposes)
    shop.get(f"/api/v1/profiles/{profile.public_id}/preferences/")

    browse_as(client, profile)
    page = client.get("/me/")

    assert "Shop" in page.content.decode()


def test_loyalty_and_ledger_read_with_cursor_pages(shop, purposes):
    from apps.loyalty.services.ledger import ledger_credit

    profile = _customer(shop.partner, purposes)
    for n in range(3):
        ledger_credit(profile=profile, points=10, idempotency_key=f"t{n}", reason="Test")

    loyalty = shop.get(f"/api/v1/profiles/{profile.public_id}/loyalty/")
    first = shop.get(f"/api/v1/profiles/{profile.public_id}/ledger/", {"limit": 2})
    second = shop.get(first.json()["next"])

    assert loyalty.json()["balance"] == 30
    assert len(first.json()["results"]) == 2
    assert len(second.json()["results"]) == 1
    assert second.json()["next"] is None


def test_a_profile_read_is_a_constant_number_of_queries(shop, purposes, django_assert_num_queries):
    profile = _customer(shop.partner, purposes)
    _declared(profile, purposes)
    url = f"/api/v1/profiles/{profile.public_id}/preferences/"
    shop.get(url)

    # token, customer, purposes granted and allowed, declarations, access log
    with django_assert_num_queries(5):
        shop.get(url)


def test_consents_tell_a_refusal_from_a_withdrawal(make_partner, purposes):
    from apps.consent.evidence import Evidence
    from apps.consent.models import Channel
    from apps.consent.services import consent_withdraw

    shop = make_partner(purpose_keys=("partner_sharing", "personalization", "email_marketing"))
    profile = _customer(shop.partner, purposes, grants=("partner_sharing", "personalization"))
    context = {
        "channel": Channel.WEB,
        "collection_point": "preference-center",
        "evidence": Evidence(),
        "language": "de",
    }
    consent_withdraw(profile=profile, purpose=purposes["personalization"], **context)
    consent_withdraw(profile=profile, purpose=purposes["email_marketing"], **context)

    consents = shop.get(f"/api/v1/profiles/{profile.public_id}/consents/").json()

    assert {row["purpose"]: row["status"] for row in consents} == {
        "email_marketing": "refused",
        "partner_sharing": "granted",
        "personalization": "withdrawn",
    }


def test_the_ledger_keeps_its_reasons_as_written(shop, purposes):
    from apps.loyalty.services import redemption_create
    from apps.loyalty.services.ledger import ledger_credit
    from tests.loyalty.factories import RewardFactory

    profile = _customer(shop.partner, purposes)
    ledger_credit(profile=profile, points=300, idempotency_key="t", reason="Quiz abgeschlossen")
    reward = RewardFactory(title_de="Gratis Versand", title_en="Free shipping", cost=250)
    redemption_create(profile=profile, reward_id=reward.pk, idempotency_key="r")

    rows = shop.get(f"/api/v1/profiles/{profile.public_id}/ledger/").json()["results"]

    assert [row["reason"] for row in rows] == ["Reward: Free shipping", "Quiz abgeschlossen"]
