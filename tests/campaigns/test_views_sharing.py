import re
from io import BytesIO

import pytest
from django.urls import reverse
from PIL import Image

from apps.campaigns.models import Campaign
from apps.campaigns.services import option_tallies_add, outcome_set_image
from apps.core.demo import demo_artwork
from tests.campaigns.factories import (
    CampaignFactory,
    OptionFactory,
    OutcomeFactory,
    QuestionFactory,
)

pytestmark = pytest.mark.django_db


def _meta(html: str, name: str) -> str:
    match = re.search(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)">', html)
    assert match, f"no {name} in the page"
    return match[1]


def _poll(slug="flavour", questions=1, votes=(11, 7, 5)):
    poll = CampaignFactory(slug=slug, kind=Campaign.Kind.POLL)
    asked = []
    for position in range(1, questions + 1):
        question = QuestionFactory(campaign=poll, position=position)
        options = [
            OptionFactory(question=question, position=n, label_de=label)
            for n, label in enumerate(("Zitrone", "Mango", "Himbeere"))
        ]
        option_tallies_add(counts={o.pk: n for o, n in zip(options, votes, strict=True)})
        asked.append(options)
    return poll, asked


def _vote(client, slug, picks):
    client.post(reverse("campaigns:start", args=[slug]))
    for number, option in enumerate(picks, start=1):
        client.post(reverse("campaigns:answer", args=[slug, number]), {"option": option.pk})


def _personality(slug="snack-type"):
    campaign = CampaignFactory(slug=slug, kind=Campaign.Kind.PERSONALITY, theme_brand="#be185d")
    crunchy = OutcomeFactory(campaign=campaign, key="crunchy", title_de="Der Knusper-Fan")
    question = QuestionFactory(campaign=campaign, position=1)
    pick = OptionFactory(question=question, outcome=crunchy, label_de="Chips")
    return campaign, crunchy, pick


def test_the_poll_result_shows_bars_with_the_own_choice_right_after_voting(client):
    _poll_campaign, ((_lemon, mango, _raspberry),) = _poll()

    _vote(client, "flavour", [mango])
    html = client.get(reverse("campaigns:result", args=["flavour"])).content.decode()

    # 11, 7 and 5 votes, and ours for mango: 11/8/5 of 24.
    assert "46\N{NO-BREAK SPACE}%" in html
    assert "33\N{NO-BREAK SPACE}%" in html
    assert "21\N{NO-BREAK SPACE}%" in html
    assert "progress__bar--46" in html
    assert 'Mango <span class="poll-chart__own">Deine Wahl</span>' in html
    assert "24 Stimmen insgesamt" in html


def test_the_poll_result_below_five_votes_says_so_and_shows_the_own_vote(client):
    _poll_campaign, ((lemon, _mango, _raspberry),) = _poll(votes=(1, 1, 0))

    _vote(client, "flavour", [lemon])
    html = client.get(reverse("campaigns:result", args=["flavour"])).content.decode()

    assert "Ergebnisse zeigen wir ab 5 Stimmen." in html
    assert "Deine Stimme: <strong>Zitrone</strong>" in html
    assert "poll-chart__bar" not in html


@pytest.fixture
def cache_of_this_process(settings):
    """The shared cache only this test process writes to: another process (the suite's
    Celery worker) renewing a cache version between the two requests would make the second
    one read the campaign's questions again, and the count would measure that. (A version
    check remembered from an earlier test did the same; the suite forgets those.)"""
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "own"},
    }


@pytest.mark.usefixtures("cache_of_this_process")
@pytest.mark.parametrize("questions", [1, 3])
def test_the_poll_result_page_reads_in_fixed_queries(client, questions, django_assert_num_queries):
    _poll_campaign, asked = _poll(questions=questions)
    _vote(client, "flavour", [options[0] for options in asked])
    url = reverse("campaigns:result", args=["flavour"])
    client.get(url)

    with django_assert_num_queries(14):
        client.get(url)


def test_the_live_refresh_marks_the_own_choice(client):
    _poll_campaign, ((lemon, _mango, _raspberry),) = _poll()
    _vote(client, "flavour", [lemon])

    fragment = client.get(reverse("campaigns:poll", args=["flavour"]), headers={"HX-Request": "1"})

    html = fragment.content.decode()
    assert html.strip().startswith('<section id="poll-results"')
    assert 'Zitrone <span class="poll-chart__own">Deine Wahl</span>' in html


@pytest.mark.usefixtures("media_in_tmp")
def test_the_personality_card_shows_the_outcome_and_its_picture(client):
    _campaign, crunchy, _pick = _personality()
    plain = client.get(reverse("campaigns:card", args=["snack-type", "crunchy"]))
    outcome_set_image(outcome=crunchy, upload=demo_artwork("#1d4ed8", (600, 600), "crunchy"))

    with_picture = client.get(reverse("campaigns:card", args=["snack-type", "crunchy"]))

    card = Image.open(BytesIO(with_picture.content)).convert("RGB")
    assert with_picture["Content-Type"] == "image/png"
    assert card.size == (1200, 630)
    # The picture sits on the right half, in its own colours, on the campaign's colour.
    assert card.getpixel((1200 - 80 - 215, 315)) != (0xBE, 0x18, 0x5D)
    assert Image.open(BytesIO(plain.content)).convert("RGB").getpixel((1200 - 80 - 215, 315)) == (
        0xBE,
        0x18,
        0x5D,
    )


def test_the_trivia_card_shows_only_the_score(client, snack_quiz):
    response = client.get(reverse("campaigns:card", args=["snack-quiz", "score-1-of-2"]))

    assert response.status_code == 200
    assert Image.open(BytesIO(response.content)).size == (1200, 630)


@pytest.mark.parametrize(
    "key",
    [
        "score-3-of-2",  # more right than asked
        "score-1-of-3",  # more questions than the quiz has
        "score-0-of-0",
        "score-1-of-99999",
        "score-one-of-two",
        "crunchy",  # an outcome key on a trivia quiz
        "nope",
    ],
)
def test_a_trivia_card_for_a_result_that_cannot_be_is_not_found(client, snack_quiz, key):
    assert client.get(reverse("campaigns:card", args=["snack-quiz", key])).status_code == 404


def test_a_personality_card_for_an_unknown_outcome_or_a_score_is_not_found(client):
    _personality()

    for key in ("nope", "score-1-of-1"):
        response = client.get(reverse("campaigns:card", args=["snack-type", key]))
        assert response.status_code == 404, key


def test_the_result_page_shares_the_public_page_of_the_outcome(client):
    _campaign, _crunchy, pick = _personality()
    _vote(client, "snack-type", [pick])

    html = client.get(reverse("campaigns:result", args=["snack-type"])).content.decode()

    assert _meta(html, "og:url") == "http://testserver/c/snack-type/?result=crunchy"
    assert _meta(html, "og:image") == "http://testserver/c/snack-type/card/crunchy.png"
    assert _meta(html, "og:title").startswith("Der Knusper-Fan · ")
    assert _meta(html, "twitter:card") == "summary_large_image"
    assert _meta(html, "twitter:image") == "http://testserver/c/snack-type/card/crunchy.png"
    assert 'data-share-url="http://testserver/c/snack-type/?result=crunchy"' in html
    assert 'href="/c/snack-type/card/crunchy.png" download' in html
    assert '<script src="/static/js/share.js" defer></script>' in html


def test_the_trivia_result_shares_its_score(client, snack_quiz):
    _campaign, _first, _second, options = snack_quiz
    _vote(client, "snack-quiz", [options["right"], options["sweet"]])

    html = client.get(reverse("campaigns:result", args=["snack-quiz"])).content.decode()

    assert _meta(html, "og:url") == "http://testserver/c/snack-quiz/?result=score-1-of-2"
    assert _meta(html, "og:image") == "http://testserver/c/snack-quiz/card/score-1-of-2.png"


def test_a_shared_link_shows_the_outcome_card_to_messengers(client):
    _personality()

    html = client.get(reverse("campaigns:intro", args=["snack-type"]) + "?result=crunchy")

    page = html.content.decode()
    assert _meta(page, "og:image") == "http://testserver/c/snack-type/card/crunchy.png"
    assert _meta(page, "og:url") == "http://testserver/c/snack-type/?result=crunchy"
    assert "Jemand hat ein Ergebnis geteilt: <strong>Der Knusper-Fan</strong>." in page


@pytest.mark.parametrize("shared", ["", "?result=nope", "?result=score-9-of-9", "?result=%00"])
def test_the_campaign_page_has_open_graph_tags_with_an_absolute_picture(client, shared):
    _personality()

    response = client.get(reverse("campaigns:intro", args=["snack-type"]) + shared)

    page = response.content.decode()
    assert response.status_code == 200
    assert _meta(page, "og:url") == "http://testserver/c/snack-type/"
    assert _meta(page, "og:image") == "http://testserver/c/snack-type/card/taken-part.png"
    assert _meta(page, "og:title") == "Quiz snack-type"
    assert _meta(page, "twitter:card") == "summary_large_image"
    assert "Ergebnis geteilt" not in page


def test_a_card_drawn_without_a_font_for_umlauts_spells_them_out():
    from apps.campaigns.cards import _drawable

    assert _drawable("Das Naschkätzchen aß Crème", False) == "Das Naschkaetzchen ass Creme"
    assert _drawable("Das Naschkätzchen", True) == "Das Naschkätzchen"
