from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation

from apps.campaigns.events import QuizCompleted
from apps.consent.events import ConsentGranted
from apps.core.exceptions import ApplicationError
from apps.loyalty.models import Account, EarningRule, LedgerEntry, Redemption, Reward, RewardCode
from apps.loyalty.services import ledger_credit, redemption_cancel, redemption_create
from tests.events import publish_part
from tests.loyalty.factories import EarningRuleFactory, RewardFactory, TierFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _completed(profile, **payload):
    with transaction.atomic():
        return publish_part(QuizCompleted, profile=str(profile.public_id), **payload)


def _balance(profile) -> int:
    account = Account.objects.filter(profile=profile).first()
    return account.balance if account else 0


def _fund(profile, points):
    ledger_credit(profile=profile, points=points, idempotency_key=f"fund:{points}", reason="Test")


def test_an_earning_rule_credits_in_the_same_transaction_as_the_action(profile):
    EarningRuleFactory(points=50)

    with transaction.atomic():
        publish_part(QuizCompleted, profile=str(profile.public_id))
        assert _balance(profile) == 50


def test_a_rule_credits_once_per_occurrence(profile):
    EarningRuleFactory(points=50)

    _completed(profile, idempotency_key="participation:9")
    _completed(profile, idempotency_key="participation:9")

    assert _balance(profile) == 50


@pytest.mark.parametrize(
    ("name_en", "reason"), [("Quiz completed", "Quiz completed"), ("", "Quiz abgeschlossen")]
)
def test_a_rule_credit_names_the_rule_in_english_or_else_german_whatever_the_request_spoke(
    profile, name_en, reason
):
    EarningRuleFactory(points=50, name_de="Quiz abgeschlossen", name_en=name_en)

    with translation.override("de"):
        _completed(profile)

    assert LedgerEntry.objects.get(account__profile=profile).reason == reason


def test_rule_conditions_must_match_the_event(profile):
    EarningRuleFactory(points=50, conditions={"campaign": "summer"})

    _completed(profile, campaign="winter")
    assert _balance(profile) == 0
    _completed(profile, campaign="summer")
    assert _balance(profile) == 50


def test_a_tier_multiplies_the_points(profile):
    gold = TierFactory(key="gold", threshold=0, multiplier="1.50")
    EarningRuleFactory(points=50)
    _fund(profile, 1)
    assert Account.objects.get(profile=profile).tier == gold

    _completed(profile)

    assert _balance(profile) == 1 + 75


def test_a_daily_cap_stops_more_points(profile):
    EarningRuleFactory(points=50, cap_per_day=100)

    for n in range(3):
        _completed(profile, idempotency_key=f"p:{n}")

    assert _balance(profile) == 100


def test_a_global_budget_is_never_overspent(profile):
    from tests.profiles.factories import ProfileFactory

    EarningRuleFactory(points=50, global_budget=120)
    others = ProfileFactory.create_batch(3)

    for p in [profile, *others]:
        _completed(p)

    assert sum(_balance(p) for p in [profile, *others]) == 100


def test_an_expired_rule_pays_nothing(profile):
    EarningRuleFactory(points=50, valid_until=timezone.now() - timedelta(days=1))

    _completed(profile)

    assert _balance(profile) == 0


@pytest.mark.parametrize(
    ("event_name", "conditions"),
    [
        ("consent.granted", {}),
        ("quiz.completed", {"purpose": "email_marketing"}),
        ("quiz.completed", {"consent": "granted"}),
        ("points.changed", {}),
        ("preference.confirmed", {}),
    ],
)
def test_rules_cannot_reward_consent_or_loop(event_name, conditions):
    rule = EarningRule(name="Bribe", event_name=event_name, conditions=conditions, points=10)

    with pytest.raises(ValidationError):
        rule.full_clean()


def test_consent_events_never_earn_even_if_a_rule_slips_in(profile):
    EarningRule.objects.create(name="Bribe", event_name="consent.granted", points=100)

    with transaction.atomic():
        publish_part(ConsentGranted, profile=str(profile.public_id))

    assert _balance(profile) == 0


def test_redemption_debits_points_reserves_stock_and_hands_out_a_code(profile):
    reward = RewardFactory(cost=100, stock=3)
    _fund(profile, 150)

    redemption = redemption_create(profile=profile, reward_id=reward.pk, idempotency_key="r1")

    reward.refresh_from_db()
    assert (_balance(profile), reward.stock) == (50, 2)
    assert len(redemption.code) == 14
    assert redemption.debit.amount == -100


@pytest.mark.parametrize(
    ("title_en", "reason"), [("Snack box", "Reward: Snack box"), ("", "Reward: Snackbox")]
)
def test_a_redemption_names_the_reward_in_english_or_else_german(profile, title_en, reason):
    reward = RewardFactory(cost=100, title_de="Snackbox", title_en=title_en)
    _fund(profile, 100)

    redemption = redemption_create(profile=profile, reward_id=reward.pk, idempotency_key="r1")

    assert redemption.debit.reason == reason


def test_a_double_clicked_redemption_redeems_once(profile):
    reward = RewardFactory(cost=100, stock=3)
    _fund(profile, 300)

    first = redemption_create(profile=profile, reward_id=reward.pk, idempotency_key="same")
    second = redemption_create(profile=profile, reward_id=reward.pk, idempotency_key="same")

    assert first == second
    assert _balance(profile) == 200


@pytest.mark.parametrize(
    ("reward_fields", "funds", "message"),
    [
        ({"cost": 100}, 99, "1 more points"),
        ({"cost": 10, "stock": 0}, 100, "sold out"),
        ({"cost": 10, "valid_until": timezone.now() - timedelta(days=1)}, 100, "expired"),
        ({"cost": 10, "is_active": False}, 100, "not available"),
    ],
)
def test_redemption_is_refused_and_changes_nothing(profile, reward_fields, funds, message):
    reward = RewardFactory(**reward_fields)
    _fund(profile, funds)

    with pytest.raises(ApplicationError, match=message):
        redemption_create(profile=profile, reward_id=reward.pk, idempotency_key="r")

    assert _balance(profile) == funds
    assert not Redemption.objects.exists()


def test_per_profile_limit(profile):
    reward = RewardFactory(cost=10, per_profile_limit=1)
    _fund(profile, 100)
    redemption_create(profile=profile, reward_id=reward.pk, idempotency_key="a")

    with pytest.raises(ApplicationError, match="as often as allowed"):
        redemption_create(profile=profile, reward_id=reward.pk, idempotency_key="b")


def test_minimum_tier(profile):
    gold = TierFactory(key="gold", threshold=1000)
    reward = RewardFactory(cost=10, minimum_tier=gold)
    _fund(profile, 100)

    with pytest.raises(ApplicationError, match="Gold members"):
        redemption_create(profile=profile, reward_id=reward.pk, idempotency_key="a")


def test_codes_come_from_the_pool_once_each(profile):
    reward = RewardFactory(cost=10, fulfilment=Reward.Fulfilment.CODE_POOL)
    RewardCode.objects.bulk_create(RewardCode(reward=reward, code=c) for c in ["AAA", "BBB"])
    _fund(profile, 100)

    codes = [
        redemption_create(profile=profile, reward_id=reward.pk, idempotency_key=k).code
        for k in ("a", "b")
    ]

    assert codes == ["AAA", "BBB"]
    with pytest.raises(ApplicationError, match="sold out"):
        redemption_create(profile=profile, reward_id=reward.pk, idempotency_key="c")
    assert _balance(profile) == 80


def test_cancelling_refunds_points_and_stock_once(profile, admin_user):
    reward = RewardFactory(cost=100, stock=1)
    _fund(profile, 100)
    redemption = redemption_create(profile=profile, reward_id=reward.pk, idempotency_key="a")

    redemption_cancel(redemption_id=redemption.pk, reason="Changed my mind", staff_user=admin_user)

    reward.refresh_from_db()
    assert (_balance(profile), reward.stock) == (100, 1)
    with pytest.raises(ApplicationError, match="already cancelled"):
        redemption_cancel(redemption_id=redemption.pk, reason="again")
    assert LedgerEntry.objects.filter(kind="reverse").count() == 1
