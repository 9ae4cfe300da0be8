"""A finished play of a one-question campaign, for identity tests."""

from apps.campaigns.models import Participation
from apps.campaigns.services import answer_submit, participation_complete, participation_start
from tests.campaigns.factories import CampaignFactory, OptionFactory, QuestionFactory


def one_question_campaign(slug: str):
    campaign = CampaignFactory(slug=slug)
    question = QuestionFactory(campaign=campaign, position=1)
    option = OptionFactory(question=question, position=1, is_correct=True)
    return campaign, question, option


def play(campaign, question, option, profile, *, finish: bool = True) -> Participation:
    participation = participation_start(campaign=campaign, profile=profile, locale="de")
    answer_submit(participation=participation, question_id=question.pk, option_ids=[option.pk])
    if finish:
        participation = participation_complete(participation=participation)
    return participation
