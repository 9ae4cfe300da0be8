from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.campaigns.models import Campaign
from apps.campaigns.selectors import campaign_cards_live, home_cards_for
from apps.campaigns.services import campaign_publish, campaigns_follow_schedule
from tests.campaigns.factories import (
    CampaignFactory,
    OptionFactory,
    ParticipationFactory,
    QuestionFactory,
)
from tests.loyalty.factories import EarningRuleFactory

pytestmark = pytest.mark.django_db


def _campaign(slug: str, *, questions: int = 1, **fields) -> Campaign:
    campaign = CampaignFactory(slug=slug, **fields)
    for position in range(1, questions + 1):
        QuestionFactory(campaign=campaign, position=position)
    return campaign


def _card(slug: str):
    return next(card for card in campaign_cards_live() if card.campaign.slug == slug)


def test_campaign_cards_live_estimate_twenty_seconds_a_question_in_whole_minutes():
    _campaign("short", questions=1)
    _campaign("long", questions=7)

    assert _card("short").minutes == 1
    assert _card("long").minutes == 3


def test_campaign_cards_live_count_a_shorter_countdown_instead():
    _campaign("quick", questions=12, seconds_per_question=10)

    assert _card("quick").minutes == 2


def test_campaign_cards_live_offer_the_points_of_every_rule_on_finishing_that_campaign():
    _campaign("snacks", kind=Campaign.Kind.TRIVIA)
    _campaign("poll", kind=Campaign.Kind.POLL)
    EarningRuleFactory(points=50)
    EarningRuleFactory(points=20, conditions={"campaign": "snacks"})
    EarningRuleFactory(points=5, conditions={"kind": "poll"})
    EarningRuleFactory(points=99, conditions={"score": "3"})
    EarningRuleFactory(points=99, is_active=False)
    EarningRuleFactory(points=99, segment_key="churn-risk")
    EarningRuleFactory(points=99, valid_until=timezone.now() - timedelta(days=1))
    EarningRuleFactory(points=99, event_name="question.answered")

    assert _card("snacks").points == 70
    assert _card("poll").points == 55


def test_campaign_cards_live_mark_a_week_as_new_and_three_days_as_ending_soon():
    now = timezone.now()
    _campaign("fresh", published_at=now - timedelta(days=6), ends_at=now + timedelta(days=2))
    _campaign("old", published_at=now - timedelta(days=8), ends_at=now + timedelta(days=4))
    _campaign("unknown")

    assert (_card("fresh").is_new, _card("fresh").ends_soon) == (True, True)
    assert (_card("old").is_new, _card("old").ends_soon) == (False, False)
    assert (_card("unknown").is_new, _card("unknown").ends_soon) == (False, False)


def test_home_cards_for_say_where_the_customer_stands(profile):
    now = timezone.now()
    once = _campaign("once")
    weekly = _campaign("weekly", repeat_after_days=7)
    anytime = _campaign("anytime", repeat_after_days=0)
    begun = _campaign("begun")
    _campaign("untouched")
    ParticipationFactory(campaign=once, profile=profile, completed_at=now)
    ParticipationFactory(campaign=weekly, profile=profile, completed_at=now)
    ParticipationFactory(campaign=anytime, profile=profile, completed_at=now)
    ParticipationFactory(campaign=anytime, profile=profile, round=2, completed_at=now)
    ParticipationFactory(campaign=begun, profile=profile)

    played = {home.card.campaign.slug: home.played for home in home_cards_for(profile=profile)}

    assert played["once"].completed
    assert played["once"].again_on is None
    assert (
        played["weekly"].again_on == (timezone.localtime(now, profile.zone) + timedelta(7)).date()
    )
    assert not played["weekly"].may_play_again
    assert played["anytime"].may_play_again
    assert not played["begun"].completed
    assert played["untouched"] is None


def test_home_shows_duration_points_and_flags_in_german(client):
    _campaign(
        "fresh",
        questions=5,
        published_at=timezone.now(),
        ends_at=timezone.now() + timedelta(days=1),
    )
    EarningRuleFactory(points=50)

    html = client.get(reverse("home")).content.decode()

    assert "ca. 2 Min." in html
    assert "+50 Punkte" in html
    assert "Neu" in html
    assert "Endet bald" in html


def test_home_shows_the_customer_what_they_played_and_when_it_opens_again(visitor, profile):
    profile.time_zone = "Europe/Berlin"
    profile.save(update_fields=["time_zone"])
    weekly = _campaign("weekly", repeat_after_days=7)
    begun = _campaign("begun")
    done_at = timezone.make_aware(timezone.datetime(2026, 3, 2, 20, 0), profile.zone)
    ParticipationFactory(campaign=weekly, profile=profile, completed_at=done_at)
    ParticipationFactory(campaign=begun, profile=profile)
    visitor.cookies.load({"django_language": "en"})

    html = visitor.get(reverse("home")).content.decode()

    assert "Played. You can play again." in html
    assert "Started: carry on where you stopped." in html


def test_home_says_when_a_played_campaign_opens_again(visitor, profile):
    weekly = _campaign("weekly", repeat_after_days=7)
    ParticipationFactory(campaign=weekly, profile=profile, completed_at=timezone.now())
    again = (timezone.localtime(timezone.now(), profile.zone) + timedelta(days=7)).date()

    html = visitor.get(reverse("home")).content.decode()

    assert f"Gespielt. Wieder offen ab {again.day}." in html


def test_home_asks_two_queries_for_everybody_then_none(client, django_assert_num_queries):
    for n in range(3):
        _campaign(f"campaign-{n}", questions=2)
    EarningRuleFactory(points=50)

    with django_assert_num_queries(2):
        client.get(reverse("home"))
    with django_assert_num_queries(0):
        client.get(reverse("home"))


def test_home_asks_the_same_queries_for_a_customer_with_one_play_or_many(
    visitor, profile, django_assert_num_queries
):
    campaigns = [_campaign(f"campaign-{n}", repeat_after_days=n or None) for n in range(4)]
    ParticipationFactory(campaign=campaigns[0], profile=profile, completed_at=timezone.now())
    visitor.get(reverse("home"))  # the shared part is kept from here on
    with CaptureQueriesContext(connection) as one_play:
        visitor.get(reverse("home"))
    for campaign in campaigns[1:]:
        ParticipationFactory(campaign=campaign, profile=profile, completed_at=timezone.now())

    with django_assert_num_queries(len(one_play)):
        html = visitor.get(reverse("home")).content.decode()

    assert html.count("Gespielt") == 4


def test_campaign_publish_notes_when_customers_could_first_play():
    campaign = _campaign("draft", status=Campaign.Status.DRAFT)
    OptionFactory(question=campaign.questions.get(), is_correct=True)
    OptionFactory(question=campaign.questions.get(), is_correct=False)

    campaign_publish(campaign=campaign)

    assert campaign.published_at is not None
    assert _card("draft").is_new


def test_a_scheduled_campaign_counts_as_published_when_it_starts():
    starts = timezone.now() - timedelta(minutes=1)
    _campaign("later", status=Campaign.Status.SCHEDULED, starts_at=starts)

    campaigns_follow_schedule()

    assert Campaign.objects.get(slug="later").published_at == starts
