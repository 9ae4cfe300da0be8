"""Moving through a play: each question at its own address, Back, reload and resume."""

import pytest
from django.test import Client
from django.urls import reverse

from apps.campaigns.models import Answer, Campaign, Participation
from tests.campaigns.factories import CampaignFactory, OptionFactory, QuestionFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def survey(profile):
    """Three single-choice questions, two answers each."""
    campaign = CampaignFactory(slug="walk", kind=Campaign.Kind.SURVEY)
    options = []
    for position in (1, 2, 3):
        question = QuestionFactory(campaign=campaign, position=position)
        options.append(
            [
                OptionFactory(question=question, position=n, label_de=f"Q{position}A{n}")
                for n in (1, 2)
            ]
        )
    return campaign, options


def _url(name: str, *args) -> str:
    return reverse(f"campaigns:{name}", args=["walk", *args])


def _start(client: Client) -> None:
    client.post(_url("start"))


def _answer(client: Client, number: int, option, **headers):
    return client.post(_url("answer", number), {"option": option.pk}, headers=headers)


def test_an_answer_with_htmx_puts_the_next_questions_address_in_the_address_bar(client, survey):
    _campaign, options = survey
    _start(client)

    response = _answer(client, 1, options[0][0], **HTMX)

    assert response["HX-Push-Url"] == _url("question", 2)
    assert "Frage 2 von 3" in response.text


def test_a_refused_answer_keeps_the_address(client, survey):
    _start(client)

    response = client.post(_url("answer", 1), {"option": "999999"}, headers=HTMX)

    assert 'role="alert"' in response.text
    assert "HX-Push-Url" not in response


def test_back_goes_to_the_previous_question_and_puts_its_address_in_the_address_bar(client, survey):
    _campaign, options = survey
    _start(client)
    _answer(client, 1, options[0][0])

    card = client.get(_url("question", 2), headers=HTMX).text

    back = _url("question", 1)
    assert f'hx-get="{back}"' in card
    assert f'href="{back}"' in card
    assert 'hx-push-url="true"' in card


def test_the_first_question_has_no_back(client, survey):
    _start(client)

    assert "Zurück" not in client.get(_url("question", 1)).text


def test_a_history_restore_gets_the_whole_page_never_a_stored_copy(client, survey):
    _start(client)

    response = client.get(
        _url("question", 1), headers={**HTMX, "HX-History-Restore-Request": "true"}
    )

    assert response.text.lstrip().startswith("<!doctype html>")
    assert "no-store" in response["Cache-Control"]
    assert "HX-Request" in response["Vary"]
    assert 'hx-history="false"' in response.text


def test_a_card_and_the_page_of_one_address_are_never_mixed_up_by_a_cache(client, survey):
    _start(client)

    card = client.get(_url("question", 1), headers=HTMX)
    page = client.get(_url("question", 1))

    assert card.text.lstrip().startswith('<section class="player"')
    assert page.text.lstrip().startswith("<!doctype html>")
    assert "HX-Request" in card["Vary"]
    assert "no-store" in card["Cache-Control"]


def test_history_copies_are_switched_off_for_the_whole_site(client, survey):
    page = client.get(_url("intro")).text

    assert '"historyCacheSize": 0' in page
    assert '"refreshOnHistoryMiss": true' in page


def test_reloading_a_question_shows_that_question(client, survey):
    _campaign, options = survey
    _start(client)
    _answer(client, 1, options[0][0], **HTMX)
    _answer(client, 2, options[1][0], **HTMX)

    page = client.get(_url("question", 3))

    assert page.status_code == 200
    assert "Frage 3 von 3" in page.text


def test_a_question_not_reached_yet_sends_the_player_to_the_next_unanswered_one(client, survey):
    _campaign, options = survey
    _start(client)
    before = client.get(_url("question", 3))
    _answer(client, 1, options[0][0])

    after = client.get(_url("question", 3))

    assert before["Location"] == _url("question", 1)
    assert after["Location"] == _url("question", 2)


def test_a_question_that_does_not_exist_is_a_404(client, survey):
    _start(client)

    assert client.get(_url("question", 4)).status_code == 404


def test_back_shows_the_answer_chosen_before(client, survey):
    _campaign, options = survey
    _start(client)
    _answer(client, 1, options[0][1])

    html = client.get(_url("question", 1)).text

    assert f'value="{options[0][1].pk}" checked' in html
    assert f'value="{options[0][0].pk}" checked' not in html


def test_back_shows_a_given_value_and_text(client, profile):
    campaign = CampaignFactory(slug="walk", kind=Campaign.Kind.SURVEY)
    QuestionFactory(campaign=campaign, position=1, kind="scale", scale_min=1, scale_max=5)
    QuestionFactory(campaign=campaign, position=2, kind="number", scale_min=1, scale_max=99)
    QuestionFactory(campaign=campaign, position=3, kind="text")
    QuestionFactory(campaign=campaign, position=4, kind="text")
    _start(client)
    client.post(_url("answer", 1), {"value": "4"})
    client.post(_url("answer", 2), {"value": "42"})
    client.post(_url("answer", 3), {"text": "Mehr Tee"})

    assert 'value="4" checked' in client.get(_url("question", 1)).text
    assert 'value="42"' in client.get(_url("question", 2)).text
    assert ">Mehr Tee</textarea>" in client.get(_url("question", 3)).text


def test_answering_again_after_back_changes_the_answer_and_returns_to_the_open_question(
    client, survey
):
    _campaign, options = survey
    _start(client)
    _answer(client, 1, options[0][0])
    _answer(client, 2, options[1][0])

    again = _answer(client, 1, options[0][1], **HTMX)

    assert again["HX-Push-Url"] == _url("question", 3)
    chosen = Answer.objects.filter(question=options[0][0].question).values_list("options")
    assert list(chosen) == [(options[0][1].pk,)]
    assert Answer.objects.count() == 2


def test_back_after_a_branch_returns_to_the_question_that_branched(client, profile):
    campaign = CampaignFactory(slug="walk", kind=Campaign.Kind.SURVEY)
    first, middle, last = (QuestionFactory(campaign=campaign, position=n) for n in (1, 2, 3))
    skip = OptionFactory(question=first, skip_to=last)
    OptionFactory(question=middle)
    OptionFactory(question=last)
    _start(client)
    client.post(_url("answer", 1), {"option": skip.pk})

    card = client.get(_url("question", 3)).text
    skipped = client.get(_url("question", 2))

    assert f'href="{_url("question", 1)}"' in card
    assert skipped["Location"] == _url("question", 3)


def test_the_intro_offers_to_continue_where_the_player_stopped(client, survey):
    _campaign, options = survey
    _start(client)
    _answer(client, 1, options[0][0])
    _answer(client, 2, options[1][0])

    html = client.get(_url("intro")).text
    resumed = client.post(_url("start"))

    assert "Weiter bei Frage 3 von 3." in html
    assert ">Weiter</button>" in html
    assert resumed["Location"] == _url("question", 3)


def test_the_intro_of_a_new_or_finished_play_offers_no_continue(client, survey):
    _campaign, options = survey

    assert "Weiter bei Frage" not in client.get(_url("intro")).text

    _start(client)
    for number in (1, 2, 3):
        _answer(client, number, options[number - 1][0])

    assert "Weiter bei Frage" not in client.get(_url("intro")).text


def test_a_member_continues_on_another_device_after_signing_in(
    client, survey, django_capture_on_commit_callbacks
):
    from django.core import mail

    from apps.profiles.services import sign_in_link_request, sign_in_token
    from tests.celery_broker import celery_broker

    _campaign, options = survey
    _start(client)
    _answer(client, 1, options[0][0])
    # The browser that played asks for the link, so its play comes along.
    with celery_broker("memory://", eager=True), django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("profiles:sign-in"), {"email": "kim@example.com"})
    client.post(mail.outbox[-1].body.split("http://127.0.0.1:8000", 1)[1].split()[0])
    other_device = Client()
    link = sign_in_link_request(email="kim@example.com", language="de")
    other_device.post(reverse("profiles:sign-in-link", args=[sign_in_token(link=link)]))

    html = other_device.get(_url("intro")).text
    resumed = other_device.post(_url("start"))

    assert "Weiter bei Frage 2 von 3." in html
    assert resumed["Location"] == _url("question", 2)
    assert Participation.objects.count() == 1


def test_auto_advance_is_offered_on_single_choice_questions_only(client, profile):
    campaign = CampaignFactory(slug="walk", kind=Campaign.Kind.SURVEY, auto_advance=True)
    single = QuestionFactory(campaign=campaign, position=1, kind="single")
    multiple = QuestionFactory(campaign=campaign, position=2, kind="multiple")
    last = QuestionFactory(campaign=campaign, position=3, kind="single")
    for question in (single, multiple, last):
        OptionFactory(question=question)
    _start(client)

    first = client.get(_url("question", 1)).text
    client.post(_url("answer", 1), {"option": single.options.get().pk})
    second = client.get(_url("question", 2)).text
    client.post(_url("answer", 2), {"option": multiple.options.get().pk})
    third = client.get(_url("question", 3)).text

    assert "data-auto-advance" in first
    assert "js/player" in first
    assert "data-auto-advance" not in second
    # The last answer finishes the play: that is left to a deliberate tap.
    assert "data-auto-advance" not in third


def test_without_auto_advance_no_script_is_loaded(client, survey):
    _start(client)

    html = client.get(_url("question", 1)).text

    assert "data-auto-advance" not in html
    assert "js/player" not in html


@pytest.mark.parametrize("answered", [1, 7])
def test_a_question_costs_the_same_queries_however_far_the_player_got(
    client, profile, answered, django_assert_num_queries
):
    campaign = CampaignFactory(slug="walk", kind=Campaign.Kind.SURVEY)
    options = []
    for position in range(1, 9):
        question = QuestionFactory(campaign=campaign, position=position)
        options.append(OptionFactory.create_batch(3, question=question)[0])
    _start(client)
    for number in range(1, answered + 1):
        _answer(client, number, options[number - 1])

    # campaign, session, profile, participation, all its answers (the profile was seen a
    # moment ago); the whole page also asks whether consent must be asked again
    with django_assert_num_queries(5):
        client.get(_url("question", answered), headers=HTMX)
    with django_assert_num_queries(6):
        client.get(_url("question", 1))


@pytest.mark.parametrize("questions", [2, 8])
def test_an_answer_with_htmx_costs_the_same_queries_however_long_the_campaign(
    client, profile, questions, django_assert_num_queries
):
    campaign = CampaignFactory(slug="walk", kind=Campaign.Kind.SURVEY)
    options = []
    for position in range(1, questions + 1):
        question = QuestionFactory(campaign=campaign, position=position)
        options.append(OptionFactory.create_batch(3, question=question)[0])
    _start(client)

    # as without htmx (see test_views), and the answers for the next card
    with django_assert_num_queries(12):
        response = _answer(client, 1, options[0], **HTMX)
    assert response["HX-Push-Url"] == _url("question", 2)


def test_a_timed_quiz_goes_forward_only_and_a_look_back_does_not_restart_the_countdown(
    client, survey
):
    campaign, options = survey
    Campaign.objects.filter(pk=campaign.pk).update(seconds_per_question=20)
    _start(client)
    _answer(client, 1, options[0][0])
    open_one = client.get(_url("question", 2)).text
    shown = Participation.objects.values_list("question_shown", "question_shown_at").get()

    back = client.get(_url("question", 1)).text

    assert "data-countdown" not in back
    assert "Zurück" not in open_one
    assert Participation.objects.values_list("question_shown", "question_shown_at").get() == shown
