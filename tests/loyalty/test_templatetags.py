import pytest
from django.test import RequestFactory

from apps.loyalty.services import ledger_credit
from apps.loyalty.templatetags.loyalty import points_account_for_visitor
from tests.loyalty.factories import TierFactory

pytestmark = pytest.mark.django_db


def _context(profile) -> dict:
    request = RequestFactory().get("/")
    request.profile = profile
    return {"request": request}


def test_points_account_for_visitor_is_the_account_with_its_tier(profile):
    TierFactory(key="silver", threshold=50)
    ledger_credit(profile=profile, points=70, idempotency_key="quiz:1", reason="Quiz")

    account = points_account_for_visitor(_context(profile))

    assert (account.balance, account.tier.key) == (70, "silver")


def test_points_account_for_visitor_reads_nothing_for_a_new_visitor(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert points_account_for_visitor(_context(None)) is None
