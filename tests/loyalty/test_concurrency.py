"""Real parallel requests on PostgreSQL: no double credit, no oversold stock."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.db.models import Sum

from apps.core.exceptions import ApplicationError
from apps.loyalty.models import Account, Redemption, Reward
from apps.loyalty.services import ledger_credit, redemption_create
from tests.loyalty.factories import RewardFactory
from tests.profiles.factories import ProfileFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _in_parallel(count: int, work: Callable[[int], None]) -> list[BaseException]:
    barrier = threading.Barrier(count)
    failures: list[BaseException] = []

    def run(n: int) -> None:
        try:
            barrier.wait()
            work(n)
        except ApplicationError:
            pass
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


def _deliver_four_times(profile) -> None:
    for _ in range(4):
        ledger_credit(
            profile=profile, points=50, idempotency_key="partner:order-42", reason="Order"
        )


def test_200_concurrent_deliveries_of_the_same_event_credit_once():
    profile = ProfileFactory()

    # 50 connections (PostgreSQL's default limit is 100) deliver 4 times each, all at once.
    failures = _in_parallel(50, lambda n: _deliver_four_times(profile))

    assert failures == []
    account = Account.objects.get(profile=profile)
    assert account.balance == 50
    assert account.entries.count() == 1


def test_50_racing_redemptions_of_a_reward_with_stock_10_sell_exactly_10():
    reward = RewardFactory(cost=10, stock=10)
    profiles = ProfileFactory.create_batch(50)
    for p in profiles:
        ledger_credit(profile=p, points=100, idempotency_key="fund", reason="Test")
    refusals: list[str] = []

    def redeem(n: int) -> None:
        try:
            redemption_create(profile=profiles[n], reward_id=reward.pk, idempotency_key=f"r{n}")
        except ApplicationError as problem:
            refusals.append(problem.message)

    failures = _in_parallel(50, redeem)

    assert failures == []
    assert Redemption.objects.count() == 10
    assert len(refusals) == 40
    assert len(set(refusals)) == 1
    assert Reward.objects.get(pk=reward.pk).stock == 0
    total = Account.objects.aggregate(total=Sum("balance"))["total"]
    assert total == 50 * 100 - 10 * 10
