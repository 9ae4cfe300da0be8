from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from apps.consent.evidence import Evidence
from apps.consent.models import Channel
from apps.consent.services import consent_withdraw
from apps.personalization.models import Offer, OfferMatch, Segment
from apps.personalization.selectors import recommendations
from apps.personalization.services import offer_dismiss, segment_save
from apps.preferences.models import Attribute, Declaration
from apps.preferences.services import preference_delete
from tests.consent.factories import grant_consent, published_purpose
from tests.personalization.conftest import declare as _declare
from tests.preferences.factories import AttributeFactory
from tests.profiles.factories import ProfileFactory
from tests.profiles.helpers import browse_as

pytestmark = pytest.mark.django_db


def test_offers_are_ranked_by_declared_matches_with_a_plain_explanation(catalogue, english):
    profile = ProfileFactory()
    _declare(profile, catalogue["diet"], "vegan")
    _declare(profile, catalogue["taste"], "spicy")

    ranked = recommendations(profile=profile)

    assert [r.offer.key for r in ranked] == ["vegan-box", "vegan-spicy", "spicy-week"]
    assert ranked[0].explanation.startswith("Because you told us “vegan (en)” for “Question diet”")
    assert "Snack-Quiz" in ranked[0].explanation


def test_older_answers_weigh_less(catalogue):
    fresh, stale = ProfileFactory(), ProfileFactory()
    _declare(fresh, catalogue["diet"], "vegan")
    _declare(stale, catalogue["diet"], "vegan", days_ago=360)

    assert recommendations(profile=fresh)[0].score == 2.0
    assert recommendations(profile=stale)[0].score == pytest.approx(0.5, abs=0.01)


def test_nothing_is_recommended_without_personalization(catalogue, purpose):
    profile = ProfileFactory()
    _declare(profile, catalogue["diet"], "vegan")
    consent_withdraw(
        profile=profile,
        purpose=purpose,
        channel=Channel.WEB,
        collection_point="test",
        evidence=Evidence(),
        language="de",
    )

    assert recommendations(profile=profile) == []


def test_a_special_category_counts_only_while_its_own_explicit_purpose_is_granted(catalogue):
    health = published_purpose(key="health_personalization", allows_special_category=True)
    intolerance = AttributeFactory(
        key="intolerance", purpose=health, choices=["lactose"], is_special_category=True
    )
    offer = Offer.objects.create(key="lactose-free", title_de="L", title_en="L")
    OfferMatch.objects.create(offer=offer, attribute=intolerance, value="lactose")
    profile = ProfileFactory()
    grant_consent(profile, catalogue["diet"].purpose)
    _declare(profile, intolerance, "lactose")
    assert [r.offer.key for r in recommendations(profile=profile)] == ["lactose-free"]

    consent_withdraw(
        profile=profile,
        purpose=health,
        channel=Channel.WEB,
        collection_point="test",
        evidence=Evidence(),
        language="de",
    )

    assert recommendations(profile=profile) == []


def test_not_interested_hides_the_offer_and_lowers_similar_ones(catalogue):
    profile = ProfileFactory()
    _declare(profile, catalogue["diet"], "vegan")
    _declare(profile, catalogue["taste"], "spicy")
    before = {r.offer.key: r.score for r in recommendations(profile=profile)}

    offer_dismiss(profile=profile, offer=catalogue["vegan-box"])

    after = {r.offer.key: r.score for r in recommendations(profile=profile)}
    assert "vegan-box" not in after
    # vegan-spicy shares diet = vegan with the declined box: that half counts half.
    assert after["vegan-spicy"] == before["vegan-spicy"] - 0.5
    assert after["spicy-week"] == before["spicy-week"]


def test_not_interested_is_read_from_the_declaration(catalogue):
    from apps.personalization.services import offer_choice_sync

    profile = ProfileFactory()
    _declare(profile, catalogue["diet"], "vegan")
    attribute = offer_choice_sync()
    _declare(profile, attribute, ["vegan-box"])

    assert [r.offer.key for r in recommendations(profile=profile)] == ["vegan-spicy"]


def test_deleting_the_declaration_brings_the_offer_back(catalogue):
    profile = ProfileFactory()
    _declare(profile, catalogue["diet"], "vegan")
    declaration = offer_dismiss(profile=profile, offer=catalogue["vegan-box"])

    preference_delete(profile=profile, declaration_id=declaration.pk)

    ranked = recommendations(profile=profile)
    assert [r.offer.key for r in ranked] == ["vegan-box", "vegan-spicy"]
    assert ranked[1].score == 1.0


def test_a_withdrawal_stops_using_the_decline_with_everything_else(catalogue, purpose):
    from apps.preferences.selectors import declaration_list_usable

    profile = ProfileFactory()
    _declare(profile, catalogue["diet"], "vegan")
    offer_dismiss(profile=profile, offer=catalogue["vegan-box"])

    consent_withdraw(
        profile=profile,
        purpose=purpose,
        channel=Channel.WEB,
        collection_point="test",
        evidence=Evidence(),
        language="de",
    )

    # Nothing is recommended without personalization, and the decline is not read either.
    assert recommendations(profile=profile) == []
    assert not declaration_list_usable(profile_ids=[profile.pk]).exists()
    # Agreeing again uses what was kept, the decline included, until it is deleted.
    grant_consent(profile, purpose)
    assert "vegan-box" not in [r.offer.key for r in recommendations(profile=profile)]


def test_a_decline_costs_no_extra_query(catalogue, django_assert_num_queries):
    profile = ProfileFactory()
    _declare(profile, catalogue["diet"], "vegan")
    offer_dismiss(profile=profile, offer=catalogue["vegan-box"])

    # Guardrails, granted purposes, declarations (the decline among them); then the offer
    # catalog once: offers, their matches, value labels, "not interested", purposes.
    with django_assert_num_queries(8):
        ranked = recommendations(profile=profile)
    with django_assert_num_queries(3):
        assert recommendations(profile=profile) == ranked

    assert [r.offer.key for r in ranked] == ["vegan-spicy"]


def test_the_cached_catalog_follows_changes_through_each_service_at_once(catalogue):
    from apps.personalization.services import offer_match_delete, offer_match_save, offer_save

    profile = ProfileFactory()
    _declare(profile, catalogue["diet"], "vegan")
    assert "vegan-box" in [r.offer.key for r in recommendations(profile=profile)]

    offer = Offer.objects.get(key="vegan-box")
    offer.is_active = False
    offer_save(offer=offer)
    assert "vegan-box" not in [r.offer.key for r in recommendations(profile=profile)]

    match = offer_match_save(
        match=OfferMatch(
            offer=Offer.objects.get(key="spicy-week"), attribute=catalogue["diet"], value="vegan"
        )
    )
    assert "spicy-week" in [r.offer.key for r in recommendations(profile=profile)]

    offer_match_delete(match=match)
    assert "spicy-week" not in [r.offer.key for r in recommendations(profile=profile)]


def test_the_cached_catalog_follows_changes_to_what_it_shows_of_other_apps(catalogue, english):
    from apps.campaigns.services import campaign_end
    from apps.consent.services import purpose_save
    from apps.preferences.models import AttributeValue
    from apps.preferences.services import attribute_value_save
    from tests.campaigns.factories import CampaignFactory

    campaign = CampaignFactory(slug="vegan-quiz")
    Offer.objects.filter(key="vegan-box").update(campaign=campaign)
    profile = ProfileFactory()
    _declare(profile, catalogue["diet"], "vegan")
    [first] = [r for r in recommendations(profile=profile) if r.offer.key == "vegan-box"]

    label = AttributeValue.objects.get(attribute=catalogue["diet"], key="vegan")
    label.label_en = "Plants only"
    attribute_value_save(value=label)
    [relabelled] = [r for r in recommendations(profile=profile) if r.offer.key == "vegan-box"]
    assert "Plants only" in relabelled.explanation
    assert relabelled.explanation != first.explanation

    purpose = catalogue["diet"].purpose
    purpose_save(purpose=purpose)  # a catalog read again, still the same offers
    assert "vegan-box" in [r.offer.key for r in recommendations(profile=profile)]

    campaign_end(campaign=campaign)
    assert "vegan-box" not in [r.offer.key for r in recommendations(profile=profile)]


def test_an_offer_leaves_when_its_schedule_ends_while_the_catalog_is_cached(
    catalogue, django_assert_num_queries
):
    profile = ProfileFactory()
    _declare(profile, catalogue["diet"], "vegan")
    soon = timezone.now() + timedelta(seconds=30)
    Offer.objects.filter(key="vegan-box").update(ends_at=soon)
    assert "vegan-box" in [r.offer.key for r in recommendations(profile=profile)]

    with time_machine.travel(soon + timedelta(seconds=1), tick=False):
        # The same catalog (no offer read again), and the offer is gone.
        with django_assert_num_queries(3):
            ranked = recommendations(profile=profile)
        assert "vegan-box" not in [r.offer.key for r in ranked]


def test_a_change_made_by_another_process_is_seen_on_the_next_read(catalogue):
    from django.core.cache import cache

    from apps.core.process_cache import VERSION_KEY
    from apps.personalization.selectors.catalog import OFFER_CATALOG

    profile = ProfileFactory()
    _declare(profile, catalogue["diet"], "vegan")
    assert "vegan-box" in [r.offer.key for r in recommendations(profile=profile)]

    # Another process deactivates the offer: this process gets no signal, only the new
    # version its receiver names in the shared cache.
    Offer.objects.filter(key="vegan-box").update(is_active=False)
    cache.set(VERSION_KEY.format(name=OFFER_CATALOG.name), "changed-elsewhere", timeout=None)

    assert "vegan-box" not in [r.offer.key for r in recommendations(profile=profile)]


def test_a_segment_rule_changed_in_bulk_counts_at_once(catalogue):
    segment = segment_save(
        segment=Segment(
            key="spicy", name="S", rule={"attribute": "taste", "op": "eq", "value": "spicy"}
        )
    )
    Offer.objects.filter(key="vegan-box").update(segment=segment)
    profile = ProfileFactory()
    _declare(profile, catalogue["diet"], "vegan")
    assert "vegan-box" not in [r.offer.key for r in recommendations(profile=profile)]

    Segment.objects.filter(pk=segment.pk).update(
        rule={"attribute": "diet", "op": "eq", "value": "vegan"}
    )

    assert "vegan-box" in [r.offer.key for r in recommendations(profile=profile)]


def test_an_offer_for_a_segment_is_shown_only_to_its_members(catalogue):
    segment = segment_save(
        segment=Segment(
            key="spicy", name="S", rule={"attribute": "taste", "op": "eq", "value": "spicy"}
        )
    )
    Offer.objects.filter(key="vegan-box").update(segment=segment)
    profile = ProfileFactory()
    _declare(profile, catalogue["diet"], "vegan")

    assert "vegan-box" not in [r.offer.key for r in recommendations(profile=profile)]

    _declare(profile, catalogue["taste"], "spicy")
    assert "vegan-box" in [r.offer.key for r in recommendations(profile=profile)]


def test_the_page_shows_offers_with_reasons_in_few_queries(
    client, catalogue, django_assert_max_num_queries
):
    profile = ProfileFactory()
    _declare(profile, catalogue["diet"], "vegan")
    browse_as(client, profile)
    client.get(reverse("personalization:for-you"))

    # Session, profile, guardrails, consent, declarations (declines among them), offers with
    # their matches, attributes and values, frequency, the impressions written, the settings
    # form, and the page's consent reminder (two): the same for any number of offers.
    with django_assert_max_num_queries(15):
        response = client.get(reverse("personalization:for-you"))

    assert response.status_code == 200
    assert b"Weil du uns" in response.content


def test_not_interested_is_a_post_and_an_unknown_offer_is_404(client, catalogue):
    profile = ProfileFactory()
    _declare(profile, catalogue["diet"], "vegan")
    browse_as(client, profile)

    assert client.get(reverse("personalization:dismiss", args=["vegan-box"])).status_code == 405
    assert client.post(reverse("personalization:dismiss", args=["nope"])).status_code == 404
    assert client.post(reverse("personalization:dismiss", args=["vegan-box"])).status_code == 302
    assert Declaration.objects.get(
        profile=profile, attribute__key="offers_not_interested"
    ).value == ["vegan-box"]


def test_an_offer_match_must_name_a_real_value(catalogue):
    from django.core.exceptions import ValidationError

    match = OfferMatch(offer=catalogue["vegan-box"], attribute=catalogue["diet"], value="paleo")

    with pytest.raises(ValidationError):
        match.full_clean()
    assert Attribute.objects.count() == 2


def test_offers_for_segments_cost_no_query_per_offer(
    client, catalogue, django_assert_max_num_queries
):
    segment = segment_save(
        segment=Segment(
            key="vegans", name="V", rule={"attribute": "diet", "op": "eq", "value": "vegan"}
        )
    )
    for number in range(8):
        offer = Offer.objects.create(
            key=f"for-vegans-{number}", title_de="V", title_en="V", segment=segment
        )
        OfferMatch.objects.create(offer=offer, attribute=catalogue["diet"], value="vegan")
    profile = ProfileFactory()
    _declare(profile, catalogue["diet"], "vegan")

    with django_assert_max_num_queries(14):
        ranked = recommendations(profile=profile, limit=20)

    assert len([r for r in ranked if r.offer.key.startswith("for-vegans")]) == 8


def test_a_segment_that_no_longer_compiles_hides_its_offers_without_an_error(catalogue):
    inner = segment_save(
        segment=Segment(key="inner", name="I", rule={"attribute": "diet", "op": "declared"})
    )
    outer = segment_save(segment=Segment(key="outer", name="O", rule={"segment": "inner"}))
    Offer.objects.filter(key="vegan-box").update(segment=outer)
    inner.delete()
    profile = ProfileFactory()
    _declare(profile, catalogue["diet"], "vegan")

    assert "vegan-box" not in [r.offer.key for r in recommendations(profile=profile)]


def test_the_result_screen_shows_picks_with_their_reasons(client, catalogue):
    from tests.profiles.helpers import one_question_campaign, play

    profile = ProfileFactory()
    _declare(profile, catalogue["diet"], "vegan")
    campaign, question, option = one_question_campaign("quiz")
    play(campaign, question, option, profile)
    browse_as(client, profile)

    response = client.get(reverse("campaigns:result", args=[campaign.slug]))

    assert response.status_code == 200
    assert "Für dich ausgesucht".encode() in response.content
    assert b"Weil du uns" in response.content


def _campaign_offer(catalogue, **campaign_fields):
    from tests.campaigns.factories import CampaignFactory

    campaign = CampaignFactory(slug="vegan-quiz", status="live", **campaign_fields)
    offer = Offer.objects.create(
        key="vegan-quiz-invite", title_de="Vegan-Quiz", title_en="Vegan quiz", campaign=campaign
    )
    OfferMatch.objects.create(offer=offer, attribute=catalogue["diet"], value="vegan", weight=3)
    return campaign, offer


def test_a_live_campaign_is_recommended_with_its_link_until_it_is_played(catalogue):
    from apps.campaigns.models import Participation

    campaign, _offer = _campaign_offer(catalogue)
    profile = ProfileFactory()
    _declare(profile, catalogue["diet"], "vegan")

    first = recommendations(profile=profile)[0]
    assert first.offer.key == "vegan-quiz-invite"
    assert first.offer.target_url == reverse("campaigns:intro", args=["vegan-quiz"])

    Participation.objects.create(campaign=campaign, profile=profile, completed_at=timezone.now())
    assert "vegan-quiz-invite" not in [r.offer.key for r in recommendations(profile=profile)]


def test_an_ended_campaign_is_not_recommended(catalogue):
    campaign, _offer = _campaign_offer(catalogue)
    campaign.status = "ended"
    campaign.save()
    profile = ProfileFactory()
    _declare(profile, catalogue["diet"], "vegan")

    assert "vegan-quiz-invite" not in [r.offer.key for r in recommendations(profile=profile)]


def test_a_repeatable_campaign_returns_once_it_opens_again(catalogue):
    from datetime import timedelta

    from apps.campaigns.models import Participation

    campaign, _offer = _campaign_offer(catalogue, repeat_after_days=30)
    profile = ProfileFactory()
    _declare(profile, catalogue["diet"], "vegan")
    Participation.objects.create(
        campaign=campaign, profile=profile, completed_at=timezone.now() - timedelta(days=31)
    )

    assert recommendations(profile=profile)[0].offer.key == "vegan-quiz-invite"


def test_members_only_campaigns_are_not_recommended_to_anonymous_players(catalogue):
    _campaign_offer(catalogue, requires_sign_in=True)
    profile = ProfileFactory()
    _declare(profile, catalogue["diet"], "vegan")

    assert "vegan-quiz-invite" not in [r.offer.key for r in recommendations(profile=profile)]


def test_the_for_you_page_links_a_recommended_campaign(catalogue, client):
    _campaign_offer(catalogue)
    profile = ProfileFactory()
    _declare(profile, catalogue["diet"], "vegan")
    browse_as(client, profile)

    page = client.get(reverse("personalization:for-you")).content.decode()

    assert f'href="{reverse("campaigns:intro", args=["vegan-quiz"])}"' in page


def test_an_offer_for_a_campaign_has_no_link_of_its_own(catalogue):
    from django.core.exceptions import ValidationError

    _campaign, offer = _campaign_offer(catalogue)
    offer.link = "/somewhere/"

    with pytest.raises(ValidationError):
        offer.full_clean()


def test_the_cached_catalog_follows_a_change_made_in_the_admin_at_once(catalogue, admin_client):
    from tests.admin_forms import admin_form_data

    profile = ProfileFactory()
    _declare(profile, catalogue["diet"], "vegan")
    assert "meat-box" not in [r.offer.key for r in recommendations(profile=profile)]

    offer = catalogue["meat-box"]
    url = reverse("admin:personalization_offer_change", args=[offer.pk])
    data = admin_form_data(admin_client.get(url))
    match_value = next(k for k, v in data.items() if k.endswith("-value") and v == "omnivore")
    data[match_value] = "vegan"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]

    assert "meat-box" in [r.offer.key for r in recommendations(profile=profile)]

    admin_client.post(
        reverse("admin:personalization_offer_delete", args=[offer.pk]), {"post": "yes"}
    )
    assert "meat-box" not in [r.offer.key for r in recommendations(profile=profile)]
