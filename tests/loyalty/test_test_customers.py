"""Staff's test customers owe and earn nothing in the figures staff read about points."""

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from apps.campaigns.events import QuizCompleted
from apps.loyalty.models import EarningRule
from apps.loyalty.selectors import earning_rule_preview, points_liability
from apps.loyalty.services import ledger_credit
from apps.profiles.services import profile_test_for
from tests.events import publish_part
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tester():
    return profile_test_for(user=get_user_model().objects.create_user("team", is_staff=True))


def test_points_liability_leaves_test_customers_out(tester):
    for profile, points in [(ProfileFactory(), 30), (tester, 500)]:
        ledger_credit(profile=profile, points=points, idempotency_key="welcome", reason="welcome")

    assert points_liability() == 30


def test_earning_rule_preview_leaves_test_customers_out(tester):
    rule = EarningRule.objects.create(name="Quiz", event_name="quiz.completed", points=50)
    with transaction.atomic():
        for profile in (ProfileFactory(), tester):
            publish_part(QuizCompleted, profile=str(profile.public_id), campaign="summer")

    preview = earning_rule_preview(rule=rule)

    assert (preview.events, preview.customers) == (1, 1)
