"""Shared steps for tests: a browser that belongs to a profile, a finished one-question play."""

from apps.campaigns.models import Participation
from apps.campaigns.services import answer_submit, participation_complete, participation_start
from apps.profiles.sessions import session_remember_profile
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


def browse_as(client, profile):
    """Make `client` a browser whose session belongs to `profile`."""
    session = client.session
    session_remember_profile(session=session, profile=profile)
    session.save()
    client.cookies["sessionid"] = session.session_key
    return client
