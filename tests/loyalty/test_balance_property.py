"""Whatever happens, the balance equals the sum of the entries and never goes negative."""

import uuid
from datetime import timedelta

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.core.exceptions import ApplicationError
from apps.loyalty.models import Account, LedgerEntry
from apps.loyalty.services import (
    ledger_adjust,
    ledger_credit,
    ledger_debit,
    ledger_expire,
    ledger_reverse,
)
from tests.profiles.factories import ProfileFactory

operations = st.lists(
    st.tuples(
        st.sampled_from(["earn", "redeem", "expire", "adjust", "reverse", "replay"]),
        st.integers(min_value=-300, max_value=300),
    ),
    max_size=25,
)


@pytest.mark.django_db
@pytest.mark.usefixtures("credit_path")
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(steps=operations)
def test_balance_equals_the_sum_of_entries(steps, admin_user):
    profile = ProfileFactory()
    keys: list[tuple[str, int]] = []
    for kind, amount in steps:
        key = uuid.uuid4().hex
        try:
            if kind == "earn":
                ledger_credit(profile=profile, points=amount, idempotency_key=key, reason="x")
                keys.append((key, amount))
            elif kind == "redeem":
                ledger_debit(profile=profile, points=amount, idempotency_key=key, reason="x")
            elif kind == "adjust":
                ledger_adjust(
                    profile=profile,
                    points=amount,
                    reason="x",
                    staff_user=admin_user,
                    idempotency_key=key,
                )
            elif kind == "expire":
                account = Account.objects.filter(profile=profile).first()
                if account:
                    ledger_expire(account_id=account.pk, as_of=_far_future(amount))
            elif kind == "reverse":
                entry = LedgerEntry.objects.filter(account__profile=profile).order_by("?").first()
                if entry:
                    ledger_reverse(entry=entry, reason="x")
            elif kind == "replay" and keys:
                old_key, old_amount = keys[amount % len(keys)]
                ledger_credit(
                    profile=profile, points=old_amount, idempotency_key=old_key, reason="x"
                )
        except ApplicationError:
            pass

        account = Account.objects.filter(profile=profile).first()
        if account:
            total = account.entries.aggregate(total=Sum("amount"))["total"] or 0
            assert account.balance == total
            assert account.balance >= 0


def _far_future(days: int):
    from django.utils import timezone

    return timezone.now() + timedelta(days=abs(days) * 2)
