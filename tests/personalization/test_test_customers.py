"""A staff user's test customer is in no segment and no churn model, yet sees its own picks."""

import pytest
from django.contrib.auth import get_user_model

from apps.personalization.churn import churn_scores_compute
from apps.personalization.materialize import segment_materialize
from apps.personalization.models import ChurnScore, Segment, SegmentMember
from apps.personalization.selectors import recommendations, rule_preview, segment_profiles
from apps.personalization.services import segment_save
from apps.profiles.services import profile_test_for
from tests.personalization.conftest import declare
from tests.profiles.factories import ProfileFactory

pytestmark = pytest.mark.django_db

VEGAN = {"attribute": "diet", "op": "eq", "value": "vegan"}


@pytest.fixture
def tester():
    return profile_test_for(user=get_user_model().objects.create_user("team", is_staff=True))


@pytest.mark.parametrize("materialize", [False, True])
def test_a_test_customer_is_in_no_segment_and_no_segment_count(catalogue, tester, materialize):
    customer = ProfileFactory()
    for profile in (customer, tester):
        declare(profile, catalogue["diet"], "vegan")
    segment = segment_save(
        segment=Segment(key="vegan", name="Vegan", rule=VEGAN, materialize=materialize)
    )
    if materialize:
        segment_materialize(segment=segment, full=True)

    assert list(segment_profiles(segment=segment)) == [customer]
    assert rule_preview(rule=VEGAN)[0] == 1
    assert not SegmentMember.objects.filter(profile=tester).exists()


def test_churn_scores_leave_test_customers_out(tester):
    customer = ProfileFactory()

    churn_scores_compute()

    assert list(ChurnScore.objects.values_list("profile", flat=True)) == [customer.pk]


def test_a_test_customer_sees_picks_for_its_own_answers(catalogue, tester):
    declare(tester, catalogue["diet"], "vegan")

    picks = [pick.offer.key for pick in recommendations(profile=tester)]

    assert picks[0] == "vegan-box"


def test_a_test_customers_answers_change_no_one_elses_picks(catalogue, tester):
    customer = ProfileFactory()
    declare(customer, catalogue["taste"], "spicy")
    before = [pick.offer.key for pick in recommendations(profile=customer)]

    declare(tester, catalogue["diet"], "vegan")

    assert [pick.offer.key for pick in recommendations(profile=customer)] == before
