"""Real parallel requests on PostgreSQL: no double credit, no oversold stock."""

import threading
import time

import pytest
from django.db.models import Sum

from apps.campaigns.events import QuizCompleted
from apps.core.exceptions import ApplicationError
from apps.loyalty.models import Account, Redemption, Reward
from apps.loyalty.services import ledger_credit, redemption_create
from apps.profiles.models import Profile
from tests.concurrency import run_in_parallel
from tests.loyalty.factories import RewardFactory
from tests.profiles.factories import ProfileFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _deliver_four_times(profile) -> None:
    for _ in range(4):
        ledger_credit(
            profile=profile, points=50, idempotency_key="partner:order-42", reason="Order"
        )


@pytest.mark.usefixtures("credit_path")
def test_200_concurrent_deliveries_of_the_same_event_credit_once():
    profile = ProfileFactory()

    # 50 connections (PostgreSQL's default limit is 100) deliver 4 times each, all at once.
    failures = run_in_parallel(50, lambda n: _deliver_four_times(profile))

    assert failures == []
    account = Account.objects.get(profile=profile)
    assert account.balance == 50
    assert account.entries.count() == 1


def test_50_racing_redemptions_of_a_reward_with_stock_10_sell_exactly_10():
    reward = RewardFactory(cost=10, stock=10)
    profiles = ProfileFactory.create_batch(50, kind=Profile.Kind.MEMBER)  # only members redeem
    for p in profiles:
        ledger_credit(profile=p, points=100, idempotency_key="fund", reason="Test")
    refusals: list[str] = []

    def redeem(n: int) -> None:
        try:
            redemption_create(profile=profiles[n], reward_id=reward.pk, idempotency_key=f"r{n}")
        except ApplicationError as problem:
            refusals.append(problem.message)

    failures = run_in_parallel(50, redeem)

    assert failures == []
    assert Redemption.objects.count() == 10
    assert len(refusals) == 40
    assert len(set(refusals)) == 1
    assert Reward.objects.get(pk=reward.pk).stock == 0
    total = Account.objects.aggregate(total=Sum("balance"))["total"]
    assert total == 50 * 100 - 10 * 10


def test_caps_and_budgets_hold_under_parallel_events():
    from django.db import transaction

    from apps.loyalty.models import EarningRule
    from tests.events import publish_part

    EarningRule.objects.create(
        name="Quiz", event_name="quiz.completed", points=50, cap_per_day=100, global_budget=400
    )
    profiles = ProfileFactory.create_batch(6)

    def complete(n: int) -> None:
        with transaction.atomic():
            publish_part(QuizCompleted, profile=str(profiles[n % 6].public_id))

    failures = run_in_parallel(36, complete)

    assert failures == []
    balances = list(Account.objects.values_list("balance", flat=True))
    assert all(balance <= 100 for balance in balances)
    assert sum(balances) == 400


@pytest.mark.usefixtures("credit_path")
def test_a_credit_racing_a_locked_account_with_the_same_key_neither_deadlocks_nor_doubles():
    from django.db import transaction

    from apps.loyalty.services import account_lock

    profile = ProfileFactory()
    ledger_credit(profile=profile, points=1, idempotency_key="open", reason="Open")
    holding = threading.Event()

    def locked_then_credit(n: int) -> None:
        if n == 0:
            with transaction.atomic():
                account_lock(profile=profile)
                holding.set()
                time.sleep(0.3)
                ledger_credit(profile=profile, points=10, idempotency_key="same", reason="x")
        else:
            holding.wait()
            ledger_credit(profile=profile, points=10, idempotency_key="same", reason="x")

    failures = run_in_parallel(2, locked_then_credit)

    assert failures == []
    account = Account.objects.get(profile=profile)
    assert account.balance == 11
    assert account.entries.filter(idempotency_key="same").count() == 1
