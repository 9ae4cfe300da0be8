from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.utils import timezone

from apps.core.exceptions import ApplicationError
from apps.core.models import OutboxEvent
from apps.loyalty.models import Account
from apps.loyalty.selectors import upcoming_expiry
from apps.loyalty.services import (
    ledger_adjust,
    ledger_credit,
    ledger_debit,
    ledger_expire,
    ledger_reverse,
)
from tests.loyalty.factories import TierFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "credit_path")]


def _credit(profile, points=100, key="k1", **kwargs):
    return ledger_credit(
        profile=profile, points=points, idempotency_key=key, reason="Quiz", **kwargs
    )


def _assert_balance_is_sum(profile):
    account = Account.objects.get(profile=profile)
    total = account.entries.aggregate(total=Sum("amount"))["total"] or 0
    assert account.balance == total
    return account


def test_ledger_credit_creates_the_account_and_adds_points(profile):
    entry = _credit(profile, 120)

    account = _assert_balance_is_sum(profile)
    assert (account.balance, account.lifetime_earned) == (120, 120)
    assert entry.expires_at > timezone.now() + timedelta(days=364)
    assert OutboxEvent.objects.filter(name="points.changed").count() == 1


def test_ledger_credit_is_idempotent(profile):
    first = _credit(profile, 100, key="quiz:7")
    again = _credit(profile, 100, key="quiz:7")

    assert again == first
    assert _assert_balance_is_sum(profile).balance == 100


def test_ledger_credit_replayed_with_another_amount_is_refused(profile):
    _credit(profile, 100, key="quiz:7")

    with pytest.raises(ApplicationError, match="different amount"):
        _credit(profile, 500, key="quiz:7")

    assert _assert_balance_is_sum(profile).balance == 100


@pytest.mark.parametrize("points", [0, -5])
def test_ledger_credit_needs_positive_points(profile, points):
    with pytest.raises(ApplicationError, match="more than zero"):
        _credit(profile, points)


def test_ledger_debit_refuses_more_than_the_balance(profile):
    _credit(profile, 50)

    with pytest.raises(ApplicationError, match="enough points"):
        ledger_debit(profile=profile, points=80, idempotency_key="d1", reason="Reward")

    assert _assert_balance_is_sum(profile).balance == 50


def test_ledger_adjust_records_staff_and_reason(profile, admin_user):
    _credit(profile, 50)

    entry = ledger_adjust(
        profile=profile,
        points=-20,
        reason="Duplicate quiz",
        staff_user=admin_user,
        idempotency_key="a1",
    )

    assert (entry.kind, entry.staff_user, entry.reason) == ("adjust", admin_user, "Duplicate quiz")
    assert _assert_balance_is_sum(profile).balance == 30


def test_ledger_adjust_without_reason_or_below_zero_is_refused(profile, admin_user):
    _credit(profile, 10)

    with pytest.raises(ApplicationError, match="needs a reason"):
        ledger_adjust(
            profile=profile, points=5, reason=" ", staff_user=admin_user, idempotency_key="a"
        )
    with pytest.raises(ApplicationError, match="enough points"):
        ledger_adjust(
            profile=profile, points=-11, reason="Oops", staff_user=admin_user, idempotency_key="b"
        )

    assert _assert_balance_is_sum(profile).balance == 10


def test_ledger_reverse_points_at_the_entry_and_happens_once(profile):
    entry = _credit(profile, 40)

    reversal = ledger_reverse(entry=entry, reason="Fraud")
    again = ledger_reverse(entry=entry, reason="Fraud")

    assert reversal == again
    assert (reversal.amount, reversal.reverses) == (-40, entry)
    assert _assert_balance_is_sum(profile).balance == 0


def test_ledger_expire_takes_the_oldest_points_first(profile):
    old = _credit(profile, 100, key="old")
    later = timezone.now() + timedelta(days=100)
    with mock.patch.object(timezone, "now", return_value=later):
        _credit(profile, 50, key="new")
    ledger_debit(profile=profile, points=30, idempotency_key="spend", reason="Reward")
    account = Account.objects.get(profile=profile)

    expired = ledger_expire(account_id=account.pk, as_of=old.expires_at + timedelta(seconds=1))

    # 30 of the old 100 were spent first; the other 70 expire, the newer 50 stay.
    assert expired.amount == -70
    assert _assert_balance_is_sum(profile).balance == 50


def test_ledger_expire_twice_writes_nothing_more(profile):
    old = _credit(profile, 100)
    account = Account.objects.get(profile=profile)
    moment = old.expires_at + timedelta(seconds=1)

    ledger_expire(account_id=account.pk, as_of=moment)

    assert ledger_expire(account_id=account.pk, as_of=moment) is None
    assert ledger_expire(account_id=account.pk, as_of=moment + timedelta(days=1)) is None
    assert _assert_balance_is_sum(profile).balance == 0


def test_upcoming_expiry_tells_how_many_points_expire_when(profile):
    first = _credit(profile, 120, key="a")
    ledger_debit(profile=profile, points=20, idempotency_key="spend", reason="Reward")

    expiry = upcoming_expiry(account=Account.objects.get(profile=profile))

    assert (expiry.points, expiry.on) == (100, timezone.localdate(first.expires_at))


def test_a_credit_moves_the_account_up_a_tier(profile):
    TierFactory(key="bronze", threshold=0)
    silver = TierFactory(key="silver", threshold=150)

    _credit(profile, 100, key="a")
    _credit(profile, 60, key="b")

    assert Account.objects.get(profile=profile).tier == silver
    changes = OutboxEvent.objects.filter(name="tier.changed").order_by("id")
    assert [e.payload["tier"] for e in changes] == ["bronze", "silver"]


def test_ledger_entries_cannot_be_changed(profile):
    entry = _credit(profile, 10)

    entry.amount = 1000
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()


def test_verify_ledger_passes_when_everything_adds_up(profile, capsys):
    _credit(profile, 10)

    call_command("verify_ledger")

    assert "adds up (1 accounts, 1 entries)" in capsys.readouterr().out


def test_verify_ledger_fails_on_a_mismatch(profile):
    _credit(profile, 10)
    Account.objects.filter(profile=profile).update(balance=11)

    with pytest.raises(CommandError, match="1 account"):
        call_command("verify_ledger")


def test_a_reversed_lot_does_not_protect_older_points_from_expiry(profile):
    old = _credit(profile, 100, key="a")
    later = timezone.now() + timedelta(days=100)
    with mock.patch.object(timezone, "now", return_value=later):
        newer = _credit(profile, 50, key="b")
    ledger_reverse(entry=newer, reason="Fraud")
    account = Account.objects.get(profile=profile)

    expiry = upcoming_expiry(account=account)
    expired = ledger_expire(account_id=account.pk, as_of=old.expires_at + timedelta(seconds=1))

    assert (expiry.points, expiry.on) == (100, timezone.localdate(old.expires_at))
    assert expired.amount == -100
    assert _assert_balance_is_sum(profile).balance == 0


def test_points_given_back_by_reversing_a_debit_expire_too(profile):
    _credit(profile, 100, key="a")
    debit = ledger_debit(profile=profile, points=40, idempotency_key="d", reason="Reward")

    refund = ledger_reverse(entry=debit, reason="Cancelled")

    assert refund.amount == 40
    assert refund.expires_at > timezone.now() + timedelta(days=364)


def test_an_overlong_idempotency_key_is_refused(profile):
    with pytest.raises(ApplicationError, match="1 to 200"):
        _credit(profile, 10, key="k" * 201)

    assert not Account.objects.filter(profile=profile, entries__isnull=False).exists()
