"""The anonymous counters behind poll shares and self-assessment comparisons never count a
staff user's test play, though the test customer sees their own result."""

import pytest
from django.contrib.auth import get_user_model

from apps.campaigns.models import Campaign, OptionTally, ScoreTally
from apps.campaigns.services import answer_submit, participation_complete, participation_start
from apps.profiles.services import profile_test_for
from tests.campaigns.assessment_helpers import play, self_assessment
from tests.campaigns.factories import CampaignFactory, OptionFactory, QuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tester():
    return profile_test_for(user=get_user_model().objects.create_user("team", is_staff=True))


def test_a_test_play_adds_nothing_to_the_self_assessment_comparison(tester):
    campaign = self_assessment()

    participation = play(campaign, tester, [4, 5, 2, 2])

    assert participation.dimension_results
    assert not ScoreTally.objects.exists()


def test_a_test_customer_may_play_a_draft_and_adds_no_vote(tester):
    draft = CampaignFactory(status=Campaign.Status.DRAFT, kind=Campaign.Kind.POLL)
    option = OptionFactory(question=QuestionFactory(campaign=draft, position=1))

    participation = participation_start(campaign=draft, profile=tester, locale="de")
    answer_submit(
        participation=participation, question_id=option.question_id, option_ids=[option.pk]
    )
    participation_complete(participation=participation)

    assert not OptionTally.objects.filter(count__gt=0).exists()
