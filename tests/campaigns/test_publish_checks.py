"""What keeps a campaign from going live: one test per problem staff are told about."""

import pytest

from apps.campaigns.models import Campaign
from apps.campaigns.services import campaign_publish_problems
from tests.campaigns.factories import (
    CampaignFactory,
    OptionFactory,
    OutcomeFactory,
    QuestionFactory,
)
from tests.consent.factories import PurposeFactory
from tests.preferences.factories import AttributeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _problems(campaign: Campaign) -> str:
    return " | ".join(campaign_publish_problems(campaign=campaign))


def _poll(**fields) -> Campaign:
    return CampaignFactory(status=Campaign.Status.DRAFT, kind=Campaign.Kind.POLL, **fields)


def test_a_complete_poll_has_no_problem():
    question = QuestionFactory(campaign=_poll())
    OptionFactory.create_batch(2, question=question)

    assert campaign_publish_problems(campaign=question.campaign) == []


def test_campaign_publish_problems_names_a_question_without_answers():
    question = QuestionFactory(campaign=_poll(), position=1)

    assert "Question 1 has no answers." in _problems(question.campaign)


def test_campaign_publish_problems_names_the_trivia_questions_that_need_a_right_answer():
    campaign = CampaignFactory(status=Campaign.Status.DRAFT, kind=Campaign.Kind.TRIVIA)
    for position in (1, 2):
        OptionFactory.create_batch(
            2, question=QuestionFactory(campaign=campaign, position=position)
        )

    assert (
        "The quiz has no question with a correct answer: mark the right answer of question 1, 2."
    ) in _problems(campaign)


def test_campaign_publish_problems_names_a_trivia_question_where_every_answer_is_right(
    snack_quiz,
):
    campaign, first, *_ = snack_quiz
    first.options.update(is_correct=True)

    assert "Every answer of Question 1 is marked right, so nobody can be wrong." in _problems(
        campaign
    )


def test_campaign_publish_problems_names_an_answer_whose_purpose_is_not_asked_for(purpose):
    question = QuestionFactory(campaign=_poll(), position=1)
    snack = AttributeFactory(purpose=purpose, label_en="Favourite snack", choices=["salty"])
    OptionFactory(question=question, attribute=snack, attribute_value="salty")
    OptionFactory(question=question)

    assert (
        "Question 1 tells us “Favourite snack”, but the campaign does not ask for its purpose."
    ) in _problems(question.campaign)


def test_campaign_publish_problems_names_an_answer_whose_purpose_nobody_can_agree_to():
    unpublished = PurposeFactory(key="research")
    campaign = _poll()
    campaign.purposes.add(unpublished)
    question = QuestionFactory(campaign=campaign, position=1)
    wish = AttributeFactory(purpose=unpublished, label_en="Wish", choices=["a"])
    OptionFactory(question=question, attribute=wish, attribute_value="a")
    OptionFactory(question=question)

    assert "its purpose has no published wording, so nobody can agree to it" in _problems(campaign)


def test_campaign_publish_problems_names_a_value_without_an_attribute():
    question = QuestionFactory(campaign=_poll(), position=1)
    OptionFactory(question=question, attribute_value="salty")
    OptionFactory(question=question)

    assert "An answer of Question 1 has a value but no attribute it tells us." in _problems(
        question.campaign
    )


def test_campaign_publish_problems_names_an_outcome_nobody_can_reach():
    campaign = CampaignFactory(status=Campaign.Status.DRAFT, kind=Campaign.Kind.PERSONALITY)
    sweet = OutcomeFactory(campaign=campaign, key="sweet", title_en="Sweet tooth")
    OutcomeFactory(campaign=campaign, key="salty", title_en="Crunch fan")
    question = QuestionFactory(campaign=campaign, position=1)
    OptionFactory(question=question, outcome=sweet)
    OptionFactory(question=question, outcome=sweet)

    problems = _problems(campaign)

    assert "Nobody can reach the outcome “Crunch fan”: no answer counts towards it." in problems
    assert "Sweet tooth”: no answer" not in problems


def test_campaign_publish_problems_wants_outcomes_for_a_personality_quiz():
    campaign = CampaignFactory(status=Campaign.Status.DRAFT, kind=Campaign.Kind.PERSONALITY)
    OptionFactory.create_batch(2, question=QuestionFactory(campaign=campaign))

    assert "The personality quiz has no outcomes." in _problems(campaign)


@pytest.mark.parametrize(
    ("part", "fields", "expected"),
    [
        ("campaign", {"intro_de": "Hallo"}, "The campaign: “introduction” is missing in English."),
        (
            "question",
            {"explanation_en": "Because."},
            "Question 1: “explanation” is missing in German.",
        ),
        ("outcome", {"title_en": ""}, "The outcome “Süß”: “title” is missing in English."),
        ("outcome", {"text_de": "Du magst es süß."}, "“text” is missing in English."),
    ],
)
def test_campaign_publish_problems_names_a_customer_text_missing_in_a_language(
    part, fields, expected
):
    campaign = _poll(**(fields if part == "campaign" else {}))
    question = QuestionFactory(
        campaign=campaign, position=1, **(fields if part == "question" else {})
    )
    outcome = OutcomeFactory(
        campaign=campaign,
        key="sweet",
        **{"title_de": "Süß", "title_en": "Sweet", **(fields if part == "outcome" else {})},
    )
    OptionFactory(question=question, outcome=outcome)
    OptionFactory(question=question, outcome=outcome)

    assert expected in _problems(campaign)


def test_a_text_written_in_no_language_is_not_a_missing_translation():
    question = QuestionFactory(campaign=_poll(intro_de="", intro_en=""), position=1)
    OptionFactory.create_batch(2, question=question)

    assert "missing in" not in _problems(question.campaign)
