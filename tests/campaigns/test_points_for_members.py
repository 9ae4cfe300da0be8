"""Points only for members, and the earning limit per address: the play always finishes and
keeps its answers; the points wait for the sign-in, or do not come, and the page says why."""

import pytest
from django.test import Client
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from apps.campaigns.models import Participation
from apps.loyalty.models import Account, PointsWithheld
from apps.profiles.models import Profile
from apps.profiles.selectors import SESSION_KEY
from tests.loyalty.factories import EarningRuleFactory
from tests.loyalty.players import play_over_http, sign_in
from tests.profiles.factories import ProfileFactory
from tests.profiles.helpers import browse_as, one_question_campaign

pytestmark = pytest.mark.django_db


def _balance(client: Client) -> int:
    account = Account.objects.filter(profile_id=client.session[SESSION_KEY]).first()
    return account.balance if account else 0


def _result(client: Client, campaign) -> str:
    return client.get(reverse("campaigns:result", args=[campaign.slug])).content.decode()


@pytest.fixture
def members_campaign():
    EarningRuleFactory(points=50)
    campaign, _question, _option = one_question_campaign("snacks")
    campaign.points_members_only = True
    campaign.save(update_fields=["points_members_only"])
    return campaign


def test_an_anonymous_player_is_asked_to_sign_in_to_collect_the_points(client, members_campaign):
    play = play_over_http(client, members_campaign)

    play.refresh_from_db()
    assert play.is_completed
    assert play.answers_kept_at is not None
    assert play.points_withheld == PointsWithheld.UNTIL_SIGN_IN
    assert _balance(client) == 0
    html = _result(client, members_campaign)
    assert 'Melde dich an und sammle <span class="wallet__number">50</span> Punkte' in html
    assert '/sign-in/?next=/c/snacks/result/"' in html


def test_signing_in_after_the_play_collects_its_points_once(client, members_campaign):
    play_over_http(client, members_campaign)

    sign_in(client, "kunde@example.com")
    sign_in(client, "kunde@example.com")

    assert Profile.objects.get(pk=client.session[SESSION_KEY]).is_member
    assert _balance(client) == 50
    assert Participation.objects.get().points_withheld == PointsWithheld.NO
    assert '<span class="wallet__number">+50</span>' in _result(client, members_campaign)


def test_signing_in_to_an_existing_member_collects_the_points_in_the_merge(
    client, members_campaign
):
    sign_in(Client(), "stammkunde@example.com")  # the member exists, from another device
    play_over_http(client, members_campaign)

    sign_in(client, "stammkunde@example.com")

    member = Profile.objects.get(pk=client.session[SESSION_KEY])
    assert Participation.objects.get().profile == member
    assert _balance(client) == 50


def test_a_member_collects_the_points_at_once(client, members_campaign):
    browse_as(client, ProfileFactory(kind=Profile.Kind.MEMBER))

    play_over_http(client, members_campaign)

    assert _balance(client) == 50


def test_past_the_address_limit_a_play_finishes_without_points_and_says_why(client, settings):
    settings.LOYALTY_EARN_LIMIT_PER_IP = (2, 60 * 60)
    EarningRuleFactory(points=50)
    campaigns = [one_question_campaign(f"quiz-{n}")[0] for n in range(3)]

    for campaign in campaigns:
        play_over_http(client, campaign)

    assert _balance(client) == 100
    last = Participation.objects.get(campaign=campaigns[2])
    assert last.is_completed
    assert last.answers_kept_at is not None
    assert last.points_withheld == PointsWithheld.LIMIT
    html = _result(client, campaigns[2])
    assert '<span class="wallet__number">+0</span>' in html
    assert "Für diese Runde gibt es keine Punkte" in html


def test_a_play_held_back_by_the_address_limit_earns_nothing_on_sign_in(client, settings):
    settings.LOYALTY_EARN_LIMIT_PER_IP = (0, 60 * 60)
    EarningRuleFactory(points=50)
    campaign = one_question_campaign("quiz")[0]
    play_over_http(client, campaign)

    sign_in(client, "kunde@example.com")

    assert _balance(client) == 0


def test_plays_that_earn_nothing_do_not_use_up_the_address_limit(client, settings):
    settings.LOYALTY_EARN_LIMIT_PER_IP = (1, 60 * 60)
    campaigns = [one_question_campaign(f"quiz-{n}")[0] for n in range(2)]
    EarningRuleFactory(points=50, conditions={"campaign": "quiz-1"})
    play_over_http(client, campaigns[0])  # no rule for it: nothing credited, not counted

    play_over_http(client, campaigns[1])

    assert _balance(client) == 50


def test_earning_fails_open_while_the_cache_is_down(client, monkeypatch):
    def unreachable(*args, **kwargs):
        raise RedisConnectionError("down")

    monkeypatch.setattr("apps.loyalty.velocity.get_usage", unreachable)
    monkeypatch.setattr("apps.loyalty.velocity.ip_limit_reached", unreachable)
    EarningRuleFactory(points=50)
    campaign = one_question_campaign("quiz")[0]

    play_over_http(client, campaign)

    assert _balance(client) == 50


def test_the_home_card_says_the_points_are_for_members(client, members_campaign):
    html = client.get(reverse("home")).content.decode()

    assert "+50 Punkte für Mitglieder" in html
    assert "+50 Punkte<" not in html
