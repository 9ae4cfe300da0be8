from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AccessLog
from apps.campaigns.models import Campaign
from apps.consent.evidence import Evidence
from apps.consent.models import Channel
from apps.consent.services import consent_withdraw
from apps.partners.models import Scope
from apps.partners.services import partner_link_customer
from apps.personalization.materialize import segment_materialize
from apps.personalization.models import Offer, OfferMatch, Segment, SegmentMember
from apps.personalization.services import segment_save
from tests.campaigns.factories import CampaignFactory
from tests.consent.factories import grant_consent
from tests.personalization.conftest import declare
from tests.preferences.factories import AttributeFactory

pytestmark = pytest.mark.django_db

VEGAN = {"attribute": "diet", "op": "eq", "value": "vegan"}
SHARING = ("partner_sharing", "personalization")


@pytest.fixture
def diet(purposes):
    return AttributeFactory(
        key="diet", purpose=purposes["personalization"], choices=["vegan", "omnivore"]
    )


@pytest.fixture
def vegan(diet):
    return segment_save(segment=Segment(key="vegan", name="Vegan", rule=VEGAN))


def _customer(partner, purposes, external_id, grants=SHARING):
    profile, _created = partner_link_customer(partner=partner, external_id=external_id)
    for key in grants:
        grant_consent(profile, purposes[key])
    return profile


def _vegan(partner, purposes, diet, external_id, grants=SHARING):
    profile = _customer(partner, purposes, external_id, grants)
    declare(profile, diet, "vegan")
    return profile


def _withdraw(profile, purpose):
    consent_withdraw(
        profile=profile,
        purpose=purpose,
        channel=Channel.WEB,
        collection_point="test",
        evidence=Evidence(),
        language="de",
    )


def _ids(response) -> list[str]:
    return [row["id"] for row in response.json()["results"]]


def _query_count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# Campaigns


def test_campaigns_lists_live_campaigns_in_both_languages_with_their_public_link(shop):
    quiz = CampaignFactory(
        slug="snack-quiz",
        kind=Campaign.Kind.PERSONALITY,
        title_de="Welcher Snack-Typ bist du?",
        title_en="Which snack type are you?",
    )
    CampaignFactory(slug="draft", status=Campaign.Status.DRAFT)
    CampaignFactory(slug="over", ends_at=timezone.now() - timedelta(days=1))

    response = shop.get("/api/v1/campaigns/")

    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "slug": "snack-quiz",
            "kind": "personality",
            "title_de": "Welcher Snack-Typ bist du?",
            "title_en": "Which snack type are you?",
            "starts_at": None,
            "ends_at": None,
            "url": "http://testserver" + reverse("campaigns:intro", args=[quiz.slug]),
        }
    ]
    assert not AccessLog.objects.exists()


def test_campaigns_need_the_campaigns_scope(make_partner):
    crm = make_partner("crm", scopes=[Scope.PROFILES_READ])

    response = crm.get("/api/v1/campaigns/")

    assert response.status_code == 403
    assert response.json()["type"] == "/api/problems/insufficient-scope"


def test_campaigns_are_paged_by_cursor(shop):
    campaigns = [CampaignFactory() for _ in range(3)]

    first = shop.get("/api/v1/campaigns/", {"limit": 2}).json()
    second = shop.get(first["next"]).json()

    assert [row["slug"] for row in first["results"] + second["results"]] == [
        campaign.slug for campaign in reversed(campaigns)
    ]
    assert second["next"] is None


def test_campaigns_query_count_does_not_grow_with_the_page(shop, django_assert_max_num_queries):
    CampaignFactory()
    one = _query_count(shop, "/api/v1/campaigns/")
    for _ in range(10):
        CampaignFactory()

    with django_assert_max_num_queries(one):
        assert len(shop.get("/api/v1/campaigns/").json()["results"]) == 11


# Segments


def test_segments_count_only_your_visible_members_and_only_from_five(
    shop, make_partner, purposes, diet, vegan
):
    other = make_partner("crm")
    for number in range(4):
        _vegan(shop.partner, purposes, diet, f"s{number}")
    for number in range(5):
        _vegan(other.partner, purposes, diet, f"o{number}")
    _vegan(shop.partner, purposes, diet, "private", grants=("personalization",))

    assert shop.get("/api/v1/segments/").json()["results"][0]["member_count"] is None
    assert other.get("/api/v1/segments/").json()["results"][0]["member_count"] == 5

    _vegan(shop.partner, purposes, diet, "s4")
    row = shop.get("/api/v1/segments/").json()["results"][0]
    assert row == {
        "key": "vegan",
        "name": "Vegan",
        "description": "",
        "member_count": 5,
        "updated_at": row["updated_at"],
    }


def test_segments_without_the_personalization_purpose_show_no_counts(
    make_partner, purposes, diet, vegan
):
    crm = make_partner("crm", purpose_keys=("partner_sharing",))
    for number in range(5):
        _vegan(crm.partner, purposes, diet, f"c{number}")

    response = crm.get("/api/v1/segments/")

    assert response.status_code == 200
    assert response.json()["results"][0]["member_count"] is None


def _stored_segments(count: int) -> None:
    segments = [
        segment_save(segment=Segment(key=f"s{n}", name=f"S{n}", rule=VEGAN, materialize=True))
        for n in range(count)
    ]
    # Saving a segment sends every stored list back to live reads, so store them last.
    for segment in segments:
        segment_materialize(segment=segment, full=True)


def test_segments_query_count_does_not_grow_with_the_page(
    shop, purposes, diet, django_assert_max_num_queries
):
    # Stored member lists: a live rule costs its own compilation (an attribute lookup) on top.
    _vegan(shop.partner, purposes, diet, "1")
    _stored_segments(1)
    one = _query_count(shop, "/api/v1/segments/")
    Segment.objects.all().delete()
    for number in range(2, 11):
        _vegan(shop.partner, purposes, diet, f"{number}")
    _stored_segments(11)

    with django_assert_max_num_queries(one):
        results = shop.get("/api/v1/segments/").json()["results"]
    assert len(results) == 11
    assert {row["member_count"] for row in results} == {10}


def test_segment_members_are_your_sharing_customers_in_the_segment(
    shop, make_partner, purposes, diet, vegan
):
    other = make_partner("crm")
    mine = _vegan(shop.partner, purposes, diet, "1")
    _customer(shop.partner, purposes, "2")
    _vegan(shop.partner, purposes, diet, "3", grants=("personalization",))
    _vegan(other.partner, purposes, diet, "1")

    response = shop.get("/api/v1/segments/vegan/members/")

    assert response.status_code == 200
    assert _ids(response) == [str(mine.public_id)]
    log = AccessLog.objects.get()
    assert (log.profile, log.partner_name, log.data_category, log.purpose_key) == (
        mine,
        "Shop",
        "segment membership",
        "personalization",
    )


def test_segment_members_leave_when_sharing_is_withdrawn(shop, purposes, diet, vegan):
    profile = _vegan(shop.partner, purposes, diet, "1")
    assert _ids(shop.get("/api/v1/segments/vegan/members/")) == [str(profile.public_id)]

    _withdraw(profile, purposes["partner_sharing"])

    assert _ids(shop.get("/api/v1/segments/vegan/members/")) == []


def test_segment_members_of_a_stored_list_come_from_that_list(shop, purposes, diet):
    segment = segment_save(segment=Segment(key="vegan", name="Vegan", rule=VEGAN, materialize=True))
    stored = _vegan(shop.partner, purposes, diet, "1")
    segment_materialize(segment=segment, full=True)
    _vegan(shop.partner, purposes, diet, "2")

    assert SegmentMember.objects.filter(segment=segment).count() == 1
    assert _ids(shop.get("/api/v1/segments/vegan/members/")) == [str(stored.public_id)]


def test_segment_members_need_the_personalization_purpose(make_partner, purposes, diet, vegan):
    crm = make_partner("crm", purpose_keys=("partner_sharing",))
    _vegan(crm.partner, purposes, diet, "1")

    response = crm.get("/api/v1/segments/vegan/members/")

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "/api/problems/purpose-not-allowed"
    assert "personalization" in response.json()["detail"]
    assert not AccessLog.objects.exists()


def test_segment_members_need_the_segments_scope(make_partner, vegan):
    crm = make_partner("crm", scopes=[Scope.PROFILES_READ, Scope.CAMPAIGNS_READ])

    assert crm.get("/api/v1/segments/").status_code == 403
    assert crm.get("/api/v1/segments/vegan/members/").status_code == 403


def test_an_unknown_segment_is_a_404_problem(shop, vegan):
    response = shop.get("/api/v1/segments/nope/members/")

    assert response.status_code == 404
    assert response.json()["type"] == "/api/problems/not-found"


def test_segment_members_are_paged_and_each_page_is_logged(shop, purposes, diet, vegan):
    members = [_vegan(shop.partner, purposes, diet, str(number)) for number in range(3)]

    first = shop.get("/api/v1/segments/vegan/members/", {"limit": 2}).json()
    assert AccessLog.objects.count() == 2
    second = shop.get(first["next"]).json()

    assert [row["id"] for row in first["results"] + second["results"]] == [
        str(profile.public_id) for profile in sorted(members, key=lambda p: -p.pk)
    ]
    assert second["next"] is None
    assert AccessLog.objects.count() == 3


def test_segment_members_query_count_does_not_grow_with_the_page(
    shop, purposes, diet, vegan, django_assert_max_num_queries
):
    _vegan(shop.partner, purposes, diet, "0")
    one = _query_count(shop, "/api/v1/segments/vegan/members/")
    for number in range(1, 11):
        _vegan(shop.partner, purposes, diet, str(number))

    with django_assert_max_num_queries(one):
        assert len(_ids(shop.get("/api/v1/segments/vegan/members/"))) == 11


# Recommendations


@pytest.fixture
def vegan_box(diet):
    offer = Offer.objects.create(key="vegan-box", title_de="Vegane Box", title_en="Vegan box")
    OfferMatch.objects.create(offer=offer, attribute=diet, value="vegan", weight=2)
    return offer


def test_recommendations_give_offers_with_reasons_and_the_next_step(
    shop, purposes, diet, vegan_box, settings
):
    settings.OFFER_QUIET_HOURS = (0, 0)  # whatever time the test runs at
    profile = _vegan(shop.partner, purposes, diet, "1")

    response = shop.get(f"/api/v1/recommendations/{profile.public_id}/")

    assert response.status_code == 200
    body = response.json()
    assert body["profile"] == str(profile.public_id)
    [offer] = body["recommendations"]
    assert (offer["offer"], offer["score"]) == ("vegan-box", 2.0)
    assert offer["link"] == "http://testserver" + reverse("personalization:for-you")
    assert offer["reason"]
    assert body["next_best_action"]["kind"] == "offer"
    assert body["next_best_action"]["url"].startswith("http://testserver/")
    # One row per purpose whose answers may have shaped the picks.
    logged = set(AccessLog.objects.values_list("profile", "data_category", "purpose_key"))
    assert logged == {
        (profile.pk, "recommendations", "partner_sharing"),
        (profile.pk, "recommendations", "personalization"),
    }


def test_recommendations_are_empty_for_a_customer_without_personalization(
    shop, purposes, diet, vegan_box
):
    profile = _vegan(shop.partner, purposes, diet, "1")
    _withdraw(profile, purposes["personalization"])

    body = shop.get(f"/api/v1/recommendations/{profile.public_id}/").json()

    assert body["recommendations"] == []
    assert body["next_best_action"] is None
    assert not AccessLog.objects.exists()


def test_recommendations_end_when_sharing_is_withdrawn(shop, purposes, diet, vegan_box):
    profile = _vegan(shop.partner, purposes, diet, "1")
    assert shop.get(f"/api/v1/recommendations/{profile.public_id}/").status_code == 200

    _withdraw(profile, purposes["partner_sharing"])

    assert shop.get(f"/api/v1/recommendations/{profile.public_id}/").status_code == 404


def test_recommendations_of_another_partners_customer_or_an_unknown_id_are_404(
    shop, make_partner, purposes, diet, vegan_box
):
    theirs = _vegan(make_partner("crm").partner, purposes, diet, "1")

    for public_id in (theirs.public_id, "6a0a4f44-2d63-4b52-8d25-2d5f9c3a8e10"):
        response = shop.get(f"/api/v1/recommendations/{public_id}/")
        assert response.status_code == 404
        assert response.json()["type"] == "/api/problems/not-found"
    assert not AccessLog.objects.exists()


def test_recommendations_need_the_personalization_purpose(make_partner, purposes, diet):
    crm = make_partner("crm", purpose_keys=("partner_sharing",))
    profile = _vegan(crm.partner, purposes, diet, "1")

    response = crm.get(f"/api/v1/recommendations/{profile.public_id}/")

    assert response.status_code == 403
    assert response.json()["type"] == "/api/problems/purpose-not-allowed"


def test_recommendations_need_the_segments_scope(make_partner, purposes, diet):
    crm = make_partner("crm", scopes=[Scope.PROFILES_READ])
    profile = _vegan(crm.partner, purposes, diet, "1")

    response = crm.get(f"/api/v1/recommendations/{profile.public_id}/")

    assert response.status_code == 403
    assert response.json()["type"] == "/api/problems/insufficient-scope"


def test_recommendations_for_a_partner_use_only_purposes_it_may_read(
    make_partner, purposes, diet, settings
):
    """An answer under a purpose the partner is not allowed never shapes what it is shown."""
    from tests.personalization.conftest import declare
    from tests.preferences.factories import AttributeFactory

    settings.OFFER_QUIET_HOURS = (0, 0)
    narrow = make_partner(key="narrow")
    profile = _vegan(narrow.partner, purposes, diet, "n1")
    health = AttributeFactory(
        key="condition", purpose=purposes["email_marketing"], choices=["diabetes"]
    )
    grant_consent(profile, purposes["email_marketing"])
    declare(profile, health, "diabetes")
    offer = Offer.objects.create(key="sugar-free", title_de="Zuckerfrei", title_en="Sugar-free")
    OfferMatch.objects.create(offer=offer, attribute=health, value="diabetes", weight=9)

    body = narrow.get(f"/api/v1/recommendations/{profile.public_id}/").json()

    assert "sugar-free" not in [item["offer"] for item in body["recommendations"]]
    assert "diabetes" not in str(body)


def test_a_segment_built_on_a_purpose_the_partner_is_not_allowed_gives_no_members(shop, purposes):
    """Membership would say what customers told us under that purpose."""
    from tests.preferences.factories import AttributeFactory

    topics = AttributeFactory(
        key="newsletter_topic", purpose=purposes["email_marketing"], choices=["recipes"]
    )
    segment = segment_save(
        segment=Segment(
            key="recipe-fans",
            name="Recipe fans",
            rule={"attribute": topics.key, "op": "in", "value": ["recipes"]},
        )
    )

    members = shop.get(f"/api/v1/segments/{segment.key}/members/")
    listed = shop.get("/api/v1/segments/").json()["results"]

    assert members.status_code == 403
    assert "email_marketing" in members.json()["detail"]
    assert [row["member_count"] for row in listed if row["key"] == "recipe-fans"] == [None]
    assert not AccessLog.objects.exists()


def test_rule_purposes_follow_attributes_consents_and_nested_segments(purposes):
    from apps.personalization.rules import rule_purposes
    from tests.preferences.factories import AttributeFactory

    AttributeFactory(key="diet_x", purpose=purposes["personalization"], choices=["vegan"])
    AttributeFactory(key="topic_x", purpose=purposes["email_marketing"], choices=["news"])
    segment_save(segment=Segment(key="inner", name="Inner", rule={"consent": "partner_sharing"}))

    rule = {
        "all": [
            {"attribute": "diet_x", "op": "in", "value": ["vegan"]},
            {"not": {"any": [{"attribute": "topic_x", "op": "in", "value": ["news"]}]}},
            {"segment": "inner"},
        ]
    }

    assert rule_purposes(rule) == {"personalization", "email_marketing", "partner_sharing"}
