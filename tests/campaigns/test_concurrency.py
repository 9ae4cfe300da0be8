"""Double clicks and replays on PostgreSQL, for real: one participation, one credit."""

import pytest

from apps.campaigns.models import Participation
from apps.campaigns.services import answer_submit, participation_complete, participation_start
from apps.loyalty.models import Account
from tests.concurrency import run_in_parallel
from tests.loyalty.factories import EarningRuleFactory
from tests.profiles.factories import ProfileFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_parallel_starts_and_finishes_make_one_participation_and_one_credit(purpose):
    from tests.campaigns.factories import CampaignFactory, OptionFactory, QuestionFactory

    EarningRuleFactory(points=50)
    campaign = CampaignFactory(slug="race")
    question = QuestionFactory(campaign=campaign, position=1)
    option = OptionFactory(question=question, is_correct=True)
    profile = ProfileFactory()

    assert (
        run_in_parallel(
            8, lambda _n: participation_start(campaign=campaign, profile=profile, locale="de")
        )
        == []
    )
    participation = Participation.objects.get()
    answer_submit(participation=participation, question_id=question.pk, option_ids=[option.pk])
    assert run_in_parallel(8, lambda _n: participation_complete(participation=participation)) == []

    assert Account.objects.get(profile=profile).balance == 50
    assert Account.objects.get(profile=profile).entries.count() == 1


def test_parallel_answers_to_a_trivia_question_keep_one_answer_and_one_event(snack_quiz):
    from apps.campaigns.models import Answer
    from apps.core.models import OutboxEvent

    campaign, first, _second, options = snack_quiz
    participation = participation_start(campaign=campaign, profile=ProfileFactory(), locale="de")
    picks = [options["right"].pk, options["wrong"].pk]

    assert (
        run_in_parallel(
            8,
            lambda n: answer_submit(
                participation=participation, question_id=first.pk, option_ids=[picks[n % 2]]
            ),
        )
        == []
    )

    answer = Answer.objects.get()
    assert answer.options.count() == 1
    assert OutboxEvent.objects.filter(name="question.answered").count() == 1
