"""What the player tells a brand's page that frames it: markers the frame script posts."""

import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.campaigns.models import Campaign, Participation
from apps.core.templatetags.embedding import embed_event_json
from tests.campaigns.factories import (
    CampaignFactory,
    OptionFactory,
    OutcomeFactory,
    QuestionFactory,
)
from tests.embed_support import frame_every_request
from tests.loyalty.factories import EarningRuleFactory

pytestmark = pytest.mark.django_db

MARKER = re.compile(r'<div hidden data-resonanz-event="([^"]*)"></div>')
HTMX = {"HX-Request": "true"}


def _markers(html: str) -> list[dict]:
    return [json.loads(found.replace("&quot;", '"')) for found in MARKER.findall(html)]


def _start(client, slug="snack-quiz"):
    return client.post(reverse("campaigns:start", args=[slug]), follow=True)


def _answer(client, number, option, slug="snack-quiz", **headers):
    url = reverse("campaigns:answer", args=[slug, number])
    return client.post(url, {"option": option}, headers=headers)


def _result(client, slug="snack-quiz") -> str:
    return client.get(reverse("campaigns:result", args=[slug])).text


def _play_to_the_end(client, options) -> list[str]:
    """Every page a framed player sees of the snack quiz, htmx swaps included."""
    pages = [_start(client).text]
    pages.append(_answer(client, 1, options["right"].pk, **HTMX).text)
    url = reverse("campaigns:question", args=["snack-quiz", 2])
    pages.append(client.get(url, headers=HTMX).text)
    pages.append(_answer(client, 2, options["sweet"].pk, **HTMX).text)
    pages.append(_result(client))
    return pages


@pytest.fixture
def survey(purpose):
    """Two single-choice questions without right answers: each answer swaps in the next."""
    campaign = CampaignFactory(slug="survey", kind=Campaign.Kind.SURVEY)
    first = QuestionFactory(campaign=campaign, position=1)
    second = QuestionFactory(campaign=campaign, position=2)
    return campaign, OptionFactory(question=first), OptionFactory(question=second)


def test_the_first_question_after_a_start_in_a_frame_says_started_and_which_question(
    framed, client, snack_quiz
):
    page = _start(client).text
    again = client.get(reverse("campaigns:question", args=["snack-quiz", 1])).text

    assert _markers(page) == [
        {"type": "started"},
        {"type": "question", "number": 1, "total": 2},
    ]
    assert _markers(again) == [{"type": "question", "number": 1, "total": 2}]


def test_a_framed_page_loads_the_frame_script_and_names_its_host_and_campaign(
    framed, client, snack_quiz
):
    page = _start(client).text

    assert 'src="/static/js/embed-frame.js" defer' in page
    assert 'data-embed-host="https://shop.example" data-embed-campaign="snack-quiz"' in page


def test_the_question_htmx_swaps_in_carries_its_marker(framed, client, survey):
    _campaign, first_option, _second_option = survey
    _start(client, "survey")

    card = _answer(client, 1, first_option.pk, slug="survey", **HTMX).text

    assert card.strip().startswith('<section class="player" id="player"')
    assert _markers(card) == [{"type": "question", "number": 2, "total": 2}]


def test_a_trivia_answers_feedback_is_no_new_question(framed, client, snack_quiz):
    _campaign, _first, _second, options = snack_quiz
    _start(client)

    feedback = _answer(client, 1, options["right"].pk, **HTMX).text
    following = client.get(reverse("campaigns:question", args=["snack-quiz", 2]), headers=HTMX).text

    assert _markers(feedback) == []
    assert _markers(following) == [{"type": "question", "number": 2, "total": 2}]


def test_the_result_in_a_frame_says_completed_with_the_points_shown(framed, client, snack_quiz):
    EarningRuleFactory(points=50)
    _campaign, _first, _second, options = snack_quiz

    pages = _play_to_the_end(client, options)

    assert "+50" in pages[-1]
    assert _markers(pages[-1]) == [{"type": "completed", "points": 50, "outcome": None}]


def test_the_completed_marker_names_the_outcome_by_its_key(framed, client, snack_quiz):
    campaign, _first, _second, options = snack_quiz
    _play_to_the_end(client, options)
    outcome = OutcomeFactory(campaign=campaign, key="salt-lover")
    Participation.objects.update(outcome=outcome)

    assert _markers(_result(client)) == [
        {"type": "completed", "points": 0, "outcome": "salt-lover"}
    ]


def test_the_markers_of_a_played_quiz_hold_no_answers(framed, client, snack_quiz):
    _campaign, _first, _second, options = snack_quiz

    markers = [marker for page in _play_to_the_end(client, options) for marker in _markers(page)]

    assert [marker["type"] for marker in markers] == [
        "started",
        "question",
        "question",
        "completed",
    ]
    allowed = {"type", "number", "total", "points", "outcome"}
    assert all(set(marker) <= allowed for marker in markers)
    sent = json.dumps(markers)
    for option in options.values():
        assert option.label not in sent


def test_pages_outside_a_frame_carry_no_markers_and_no_frame_script(client, snack_quiz):
    EarningRuleFactory(points=50)
    _campaign, _first, _second, options = snack_quiz

    pages = _play_to_the_end(client, options)

    for page in pages:
        assert "data-resonanz-event" not in page
        assert "embed-frame.js" not in page
        assert "data-embed-host" not in page


def test_the_marker_json_cannot_break_out_of_its_attribute():
    text = embed_event_json("completed", outcome="</div><script>\"'&")

    assert not set("<>&") & set(text)
    assert json.loads(text)["outcome"] == "</div><script>\"'&"


def _result_queries(client) -> int:
    client.get(reverse("campaigns:result", args=["snack-quiz"]))  # per-process caches filled
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("campaigns:result", args=["snack-quiz"])).status_code == 200
    return len(queries)


def test_the_result_page_in_a_frame_reads_no_more_than_on_the_site(settings, snack_quiz):
    EarningRuleFactory(points=50)
    _campaign, _first, _second, options = snack_quiz
    on_site = Client()
    _play_to_the_end(on_site, options)
    site_queries = _result_queries(on_site)

    frame_every_request(settings)
    in_frame = Client()
    pages = _play_to_the_end(in_frame, options)

    assert _markers(pages[-1])[0]["type"] == "completed"
    assert _result_queries(in_frame) == site_queries
