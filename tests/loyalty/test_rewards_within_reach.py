import pytest

from apps.loyalty.selectors import account_for_profile, reward_list_within_reach
from apps.loyalty.services import ledger_credit
from tests.loyalty.factories import RewardFactory, TierFactory
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db


def _account_with(points: int):
    profile = ProfileFactory()
    ledger_credit(profile=profile, points=points, idempotency_key="start", reason="Start")
    return account_for_profile(profile=profile)


def test_reward_list_within_reach_shows_the_dearest_affordable_then_the_nearest():
    cheap = RewardFactory(cost=10)
    affordable = RewardFactory(cost=50)
    near = RewardFactory(cost=80)
    far = RewardFactory(cost=200)
    RewardFactory(cost=500)

    within_reach = reward_list_within_reach(account=_account_with(60), limit=3)

    assert within_reach == [(affordable, 0), (near, 20), (far, 140)]
    assert cheap not in [reward for reward, _missing in within_reach]


def test_reward_list_within_reach_leaves_out_sold_out_and_higher_tier_rewards():
    gold = TierFactory(key="gold", threshold=1000)
    RewardFactory(cost=20, stock=0)
    RewardFactory(cost=30, minimum_tier=gold)
    open_to_all = RewardFactory(cost=40)

    assert reward_list_within_reach(account=_account_with(60)) == [(open_to_all, 0)]


def test_reward_list_within_reach_without_an_account_shows_the_cheapest():
    first, second = RewardFactory(cost=30), RewardFactory(cost=90)
    RewardFactory(cost=400)

    assert reward_list_within_reach(account=None, limit=2) == [(first, 30), (second, 90)]
