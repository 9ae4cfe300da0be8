"""Every answer that tells us something about the customer is shown at the end, asked for,
and kept only after a yes: choices through their options, scale, NPS, mood, number and text
answers through their question."""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from apps.campaigns.models import Campaign
from apps.preferences.models import Attribute, Declaration, Source
from tests.campaigns.factories import CampaignFactory, OptionFactory, QuestionFactory
from tests.consent.factories import published_purpose
from tests.preferences.factories import AttributeFactory

pytestmark = pytest.mark.django_db

K = Attribute.Kind


@dataclass(frozen=True)
class AnswerType:
    question_kind: str
    attribute: dict
    scale: tuple[int, int] | None
    posted: dict | None  # for choices: the option keys posted under "option"
    picked: tuple[str, ...] = ()
    shown: str = ""
    stored: object = None


ANSWER_TYPES = {
    "single": AnswerType(
        "single", {"kind": K.SINGLE_CHOICE}, None, None, ("savory",), "savory (de)", "savory"
    ),
    "multiple": AnswerType(
        "multiple",
        {"kind": K.MULTIPLE_CHOICE},
        None,
        None,
        ("sweet", "spicy"),
        "sweet (de), spicy (de)",
        ["sweet", "spicy"],
    ),
    "image": AnswerType(
        "image", {"kind": K.SINGLE_CHOICE}, None, None, ("spicy",), "spicy (de)", "spicy"
    ),
    "scale": AnswerType(
        "scale",
        {"kind": K.SCALE, "min_value": 1, "max_value": 5},
        (1, 5),
        {"value": "4"},
        shown="4 von 5",
        stored=4,
    ),
    "nps": AnswerType(
        "scale",
        {"kind": K.SCALE, "min_value": 0, "max_value": 10},
        (0, 10),
        {"value": "9"},
        shown="9 von 10",
        stored=9,
    ),
    "mood": AnswerType(
        "mood",
        {"kind": K.SCALE, "min_value": 1, "max_value": 5},
        None,
        {"value": "2"},
        shown="2 von 5",
        stored=2,
    ),
    "number": AnswerType(
        "number",
        {"kind": K.NUMBER, "min_value": 0, "max_value": 120},
        (0, 120),
        {"value": "42"},
        shown="42",
        stored=42,
    ),
    "text": AnswerType(
        "text",
        {"kind": K.TEXT, "max_length": 280},
        None,
        {"text": " Mehr Tee "},
        shown="Mehr Tee",
        stored="Mehr Tee",
    ),
}


@pytest.fixture(params=list(ANSWER_TYPES), ids=list(ANSWER_TYPES))
def answer_type(request) -> AnswerType:
    return ANSWER_TYPES[request.param]


@pytest.fixture
def told_play(client, purpose, answer_type):
    """A one-question survey played to its result page. Its answer tells us something under
    `research`, a purpose staff did not list for the campaign: the end asks for it anyway."""
    research = published_purpose(key="research")
    attribute = AttributeFactory(key="told", purpose=research, **answer_type.attribute)
    campaign = CampaignFactory(slug="told", kind=Campaign.Kind.SURVEY)
    campaign.purposes.add(purpose)
    low, high = answer_type.scale or (1, 5)
    question = QuestionFactory(
        campaign=campaign,
        position=1,
        kind=answer_type.question_kind,
        scale_min=low,
        scale_max=high,
        attribute=None if answer_type.picked else attribute,
    )
    posted = answer_type.posted
    if answer_type.picked:
        options = {
            value.key: OptionFactory(
                question=question, position=position, attribute=attribute, attribute_value=value.key
            )
            for position, value in enumerate(attribute.values.all())
        }
        posted = {"option": [options[key].pk for key in answer_type.picked]}
    client.post(reverse("campaigns:start", args=["told"]))
    done = client.post(reverse("campaigns:answer", args=["told", 1]), posted)
    assert done["Location"] == reverse("campaigns:result", args=["told"])
    return attribute


def _decide(client, decision: str) -> None:
    client.post(
        reverse("consent:decide", args=["research"]),
        {"decision": decision, "collection_point": "campaign:told"},
    )


def test_the_answer_is_offered_for_consent_on_the_result_page(client, answer_type, told_play):
    page = client.get(reverse("campaigns:result", args=["told"])).content.decode()

    assert "Was du uns erzählt hast" in page
    assert f"Frage told: <strong>{answer_type.shown}</strong>" in page
    assert 'id="consent-research"' in page
    assert reverse("campaigns:withhold", args=["told", told_play.pk]) in page


def test_the_answer_is_kept_after_a_yes_with_its_type(client, answer_type, told_play):
    _decide(client, "grant")

    finished = client.post(reverse("campaigns:finish", args=["told"]))

    assert finished["Location"] == reverse("campaigns:done", args=["told"])
    declaration = Declaration.objects.get()
    assert declaration.attribute == told_play
    assert declaration.value == answer_type.stored
    assert (declaration.source, declaration.source_label) == (Source.QUIZ, "Quiz told")


@pytest.mark.parametrize("decision", ["withdraw", None], ids=["no", "no-answer"])
def test_the_answer_is_not_kept_without_a_yes(client, answer_type, told_play, decision):
    if decision:
        _decide(client, decision)

    client.post(reverse("campaigns:finish", args=["told"]))

    assert not Declaration.objects.exists()


def test_a_withheld_answer_is_not_kept_despite_a_yes(client, answer_type, told_play):
    client.post(reverse("campaigns:withhold", args=["told", told_play.pk]))
    page = client.get(reverse("campaigns:result", args=["told"])).content.decode()
    _decide(client, "grant")

    client.post(reverse("campaigns:finish", args=["told"]))

    assert "das behalten wir nicht" in page
    assert not Declaration.objects.exists()


@pytest.mark.parametrize("told", [2, 4])
def test_the_result_page_runs_a_constant_number_of_queries(
    client, purpose, told, django_assert_num_queries
):
    research = published_purpose(key="research")
    campaign = CampaignFactory(slug="many", kind=Campaign.Kind.SURVEY)
    kinds = [("single", None), ("scale", K.SCALE), ("number", K.NUMBER), ("text", K.TEXT)]
    posts = []
    for position, (kind, attribute_kind) in enumerate(kinds[:told], 1):
        if attribute_kind is None:
            choice = AttributeFactory(purpose=purpose, choices=["sweet"])
            question = QuestionFactory(campaign=campaign, position=position)
            option = OptionFactory(question=question, attribute=choice, attribute_value="sweet")
            posts.append({"option": option.pk})
            continue
        attribute = AttributeFactory(
            purpose=research, kind=attribute_kind, min_value=1, max_value=5, max_length=50
        )
        QuestionFactory(campaign=campaign, position=position, kind=kind, attribute=attribute)
        posts.append({"text": "Tee"} if kind == "text" else {"value": "3"})
    client.post(reverse("campaigns:start", args=["many"]))
    for number, posted in enumerate(posts, 1):
        client.post(reverse("campaigns:answer", args=["many", number]), posted)

    # What the answers told costs three queries (chosen options, their allowed values, the
    # other answers), the purposes to ask for one, the consent panel two: however many
    # answers told us something.
    with django_assert_num_queries(18):
        page = client.get(reverse("campaigns:result", args=["many"])).content.decode()

    assert page.count('class="learned"') == told
