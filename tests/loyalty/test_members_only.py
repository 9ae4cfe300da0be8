"""Rewards are for verified members: anonymous points stay visible, but only members redeem."""

import uuid

import pytest
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from apps.loyalty.errors import MemberRequired, RedemptionLimitReached
from apps.loyalty.models import Account, LedgerEntry, Redemption, Reward
from apps.loyalty.services import ledger_credit, redemption_create
from apps.profiles.models import Profile
from tests.loyalty.factories import RewardFactory
from tests.profiles.factories import ProfileFactory
from tests.profiles.helpers import browse_as

pytestmark = pytest.mark.django_db


def _fund(profile, points):
    ledger_credit(profile=profile, points=points, idempotency_key="fund", reason="Quiz")


def _nothing_written(profile, *, balance, stock):
    assert not Redemption.objects.exists()
    assert Account.objects.get(profile=profile).balance == balance
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REDEEM).exists()
    assert Reward.objects.get().stock == stock


def test_redemption_create_refuses_an_anonymous_profile_and_changes_nothing(anonymous):
    reward = RewardFactory(cost=100, stock=5)
    _fund(anonymous, 500)

    with pytest.raises(MemberRequired):
        redemption_create(profile=anonymous, reward_id=reward.pk, idempotency_key="r")

    _nothing_written(anonymous, balance=500, stock=5)


def test_redemption_create_refuses_a_profile_that_merged_meanwhile(anonymous):
    member = ProfileFactory(kind=Profile.Kind.MEMBER)
    reward = RewardFactory(cost=100, stock=5)
    _fund(member, 500)
    stale = Profile.objects.get(pk=member.pk)
    Profile.objects.filter(pk=member.pk).update(kind=Profile.Kind.MERGED, merged_into=anonymous)

    with pytest.raises(MemberRequired):
        redemption_create(profile=stale, reward_id=reward.pk, idempotency_key="r")

    assert not Redemption.objects.exists()


def test_redemption_create_lets_a_member_redeem(profile):
    reward = RewardFactory(cost=100, stock=5)
    _fund(profile, 500)

    redemption = redemption_create(profile=profile, reward_id=reward.pk, idempotency_key="r")

    assert redemption.account.profile == profile
    assert Account.objects.get(profile=profile).balance == 400


def test_redemption_create_stops_a_member_at_the_daily_limit(profile, settings):
    settings.LOYALTY_REDEEM_LIMIT_PER_PROFILE = (2, 24 * 60 * 60)
    reward = RewardFactory(cost=10)
    _fund(profile, 500)
    for key in ("a", "b"):
        redemption_create(profile=profile, reward_id=reward.pk, idempotency_key=key)

    with pytest.raises(RedemptionLimitReached):
        redemption_create(profile=profile, reward_id=reward.pk, idempotency_key="c")

    assert Redemption.objects.count() == 2
    assert Account.objects.get(profile=profile).balance == 480


def test_a_retried_redemption_at_the_limit_returns_the_first_one(profile, settings):
    settings.LOYALTY_REDEEM_LIMIT_PER_PROFILE = (1, 24 * 60 * 60)
    reward = RewardFactory(cost=10)
    _fund(profile, 500)
    first = redemption_create(profile=profile, reward_id=reward.pk, idempotency_key="a")

    assert redemption_create(profile=profile, reward_id=reward.pk, idempotency_key="a") == first


def test_wallet_shows_an_anonymous_visitor_their_points_and_a_call_to_sign_in(client, anonymous):
    reward = RewardFactory(title_de="Gratis Versand", cost=100)
    _fund(anonymous, 300)
    wallet = reverse("loyalty:wallet")

    html = browse_as(client, anonymous).get(wallet).content.decode()

    assert "300</span> Punkte" in html
    assert "Prämien gibt es für Mitglieder." in html
    assert 'href="/sign-in/?next=/me/points/"' in html
    assert f'href="{reverse("loyalty:redeem", args=[reward.pk])}"' not in html


def test_wallet_offers_a_member_the_redeem_button(visitor, profile):
    reward = RewardFactory(cost=100)
    _fund(profile, 300)

    html = visitor.get(reverse("loyalty:wallet")).content.decode()

    assert "Prämien gibt es für Mitglieder." not in html
    assert f'href="{reverse("loyalty:redeem", args=[reward.pk])}"' in html


def test_redeem_page_asks_an_anonymous_visitor_to_sign_in_and_keeps_the_way_back(client, anonymous):
    reward = RewardFactory(cost=100)
    _fund(anonymous, 300)
    url = reverse("loyalty:redeem", args=[reward.pk])

    html = browse_as(client, anonymous).get(url).content.decode()

    assert "Anmelden und einlösen" in html
    assert f"/sign-in/?next=/me/points/rewards/{reward.pk}/" in html
    assert "Ja, einlösen" not in html


@pytest.mark.parametrize("has_profile", [True, False])
def test_redeem_post_of_an_anonymous_visitor_is_refused_and_writes_nothing(
    client, anonymous, has_profile
):
    reward = RewardFactory(cost=100, stock=5)
    _fund(anonymous, 300)
    if has_profile:
        browse_as(client, anonymous)

    response = client.post(reverse("loyalty:redeem", args=[reward.pk]), {"key": str(uuid.uuid4())})

    assert response.status_code == 403
    assert "Melde dich an, um Prämien einzulösen." in response.content.decode()
    _nothing_written(anonymous, balance=300, stock=5)
    assert Account.objects.count() == 1


def test_redeem_posts_from_one_address_stop_at_the_hourly_limit(client, settings):
    settings.LOYALTY_REDEEM_LIMIT_PER_IP = (2, 60 * 60)
    reward = RewardFactory(cost=10)
    members = [ProfileFactory(kind=Profile.Kind.MEMBER) for _ in range(3)]
    for member in members:
        _fund(member, 100)
    url = reverse("loyalty:redeem", args=[reward.pk])

    statuses = []
    for member in members:
        browse_as(client, member)
        statuses.append(client.post(url, {"key": str(uuid.uuid4())}).status_code)

    assert statuses == [302, 302, 429]
    assert Redemption.objects.count() == 2
    assert "Zu viele Einlösungen" in client.post(url, {"key": str(uuid.uuid4())}).content.decode()


def test_redeeming_fails_open_on_the_address_limit_while_the_cache_is_down(
    visitor, profile, monkeypatch
):
    def unreachable(*args, **kwargs):
        raise RedisConnectionError("down")

    monkeypatch.setattr("apps.loyalty.velocity.ip_limit_reached", unreachable)
    reward = RewardFactory(cost=10)
    _fund(profile, 100)

    response = visitor.post(reverse("loyalty:redeem", args=[reward.pk]), {"key": str(uuid.uuid4())})

    assert response.status_code == 302
    assert Redemption.objects.count() == 1
